# Lists the primitive arrays over 1 MB in a heap dump (jcmd PID GC.heap_dump FILE) with the
# classes of the objects that point at them: where a big heap goes, without a heap analyser.
#   /usr/bin/python3 bench/hprof-large-arrays.py FILE
# Output: bytes, HPROF element type (11 = long, 8 = byte), owning classes.
import struct, sys, collections
f=open(sys.argv[1],'rb').read()
p=f.index(b'\0')+1
idsz=struct.unpack('>I',f[p:p+4])[0]; p+=12
assert idsz==8
strings={}; classnames={}; bigs=[]; refs=collections.defaultdict(list)
classinfo={}  # class id -> (super, instance field types)
inst=[]
def rid(o): return struct.unpack('>Q',f[o:o+8])[0]
tsize={2:8,4:1,5:2,6:4,7:8,8:1,9:2,10:4,11:8}
while p < len(f):
    tag=f[p]; ln=struct.unpack('>I',f[p+5:p+9])[0]; body=p+9; end=body+ln; p=end
    if tag==0x01:
        strings[rid(body)]=f[body+8:end].decode('utf-8','replace')
    elif tag==0x02:
        classnames[rid(body+4)]=rid(body+16)
    elif tag in (0x0c,0x1c):
        q=body
        while q<end:
            st=f[q]; q+=1
            if st==0xff: q+=8
            elif st==0x01: q+=16
            elif st==0x02: q+=16
            elif st==0x03: q+=16
            elif st==0x04: q+=12
            elif st==0x05: q+=8
            elif st==0x06: q+=12
            elif st==0x07: q+=8
            elif st==0x08: q+=16
            elif st==0x20:
                cid=rid(q); sup=rid(q+8); q+=8+4+8*6+4
                ncp=struct.unpack('>H',f[q:q+2])[0]; q+=2
                for _ in range(ncp):
                    t=f[q+2]; q+=3+tsize[t]
                ns=struct.unpack('>H',f[q:q+2])[0]; q+=2
                for _ in range(ns):
                    t=f[q+8]; q+=9+tsize[t]
                nf=struct.unpack('>H',f[q:q+2])[0]; q+=2
                q+=9*nf
            elif st==0x21:
                oid=rid(q); cid=rid(q+12); n=struct.unpack('>I',f[q+20:q+24])[0]
                inst.append((oid,cid,q+24,n)); q+=24+n
            elif st==0x22:
                oid=rid(q); n=struct.unpack('>I',f[q+12:q+16])[0]; cid=rid(q+16)
                inst.append((oid,cid,q+24,8*n)); q+=24+8*n
            elif st==0x23:
                oid=rid(q); n=struct.unpack('>I',f[q+12:q+16])[0]; t=f[q+16]
                sz=n*tsize[t]
                if sz>1_000_000: bigs.append((sz,t,oid))
                q+=17+sz
            else:
                raise SystemExit('unknown subtag %x'%st)
bigs.sort(reverse=True)
want={b[2] for b in bigs}
owner={}
for oid,cid,off,n in inst:
    for k in range(0,n-7):
        v=rid(off+k)
        if v in want: owner.setdefault(v,[]).append(strings.get(classnames.get(cid),'?'))
for sz,t,oid in bigs:
    print(sz, t, owner.get(oid))
