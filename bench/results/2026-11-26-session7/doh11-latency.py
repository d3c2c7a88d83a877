import socket,ssl,struct,time,sys
q=struct.pack('>HHHHHH',0,0x0100,1,0,0,0)+b'\x07example\x03com\x00'+struct.pack('>HH',1,1)
ctx=ssl.create_default_context(); ctx.check_hostname=False; ctx.verify_mode=ssl.CERT_NONE
ctx.set_alpn_protocols(['http/1.1'])
def pct(ts): ts=sorted(ts); return ' '.join('p%d=%.3f'%(p,ts[int(len(ts)*p/100)]) for p in (10,50,75,90,99))
s=ctx.wrap_socket(socket.create_connection(('127.0.0.1',int(sys.argv[1]) if len(sys.argv)>1 else 8443))); s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
req=b'POST /dns-query HTTP/1.1\r\nHost: x\r\nContent-Type: application/dns-message\r\nContent-Length: %d\r\n\r\n'%len(q)+q
ts=[]
for i in range(2000):
    t=time.perf_counter(); s.sendall(req); buf=b''
    while b'\r\n\r\n' not in buf: buf+=s.recv(4096)
    h,rest=buf.split(b'\r\n\r\n',1); cl=int([l.split(b':')[1] for l in h.split(b'\r\n') if l.lower().startswith(b'content-length')][0])
    while len(rest)<cl: rest+=s.recv(4096)
    ts.append((time.perf_counter()-t)*1000)
print('DoH/1.1 ms', pct(ts[500:]))
