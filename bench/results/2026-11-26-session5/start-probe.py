import socket, struct, subprocess, sys, time, shutil, os
jar=sys.argv[1]
shutil.rmtree('/tmp/st-data', ignore_errors=True)
q=struct.pack('>HHHHHH',0x1234,0x0100,1,0,0,0)+b'\x07blocked\x04test\x00'+struct.pack('>HH',1,1)
t0=time.time()
p=subprocess.Popen(['java','-jar',jar,'serve','--dns','127.0.0.1:5391','--upstream','127.0.0.1:9','--data-dir','/tmp/st-data','--blocklist','/tmp/tiny.txt'],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL)
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.settimeout(0.05)
while True:
    try:
        s.sendto(q,('127.0.0.1',5391)); d,_=s.recvfrom(512)
        if d[:2]==b'\x12\x34': break
    except OSError: pass
print(os.path.basename(jar), int((time.time()-t0)*1000),'ms')
p.terminate(); p.wait()
