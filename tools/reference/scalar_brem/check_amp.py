# Independent check of the 2->2 squared amplitudes  e(p) + gamma(q) -> e(p') + X(k)
# X = scalar (coupling g*phi*ebar*e) or vector (coupling g*V_mu ebar gamma^mu e),
# computed numerically with explicit Dirac matrices and traces, compared with the
# Liu-McKeen-Miller / Liu-Miller (and BEST for vector) closed forms A^{2->2}_{tmin}(u~, x).
import numpy as np
rng = np.random.default_rng(1)
I2 = np.eye(2); Z2 = np.zeros((2,2))
sx = np.array([[0,1],[1,0]],complex); sy = np.array([[0,-1j],[1j,0]]); sz = np.array([[1,0],[0,-1]],complex)
g0 = np.block([[I2,Z2],[Z2,-I2]]).astype(complex)
gs = [np.block([[Z2,s],[-s,Z2]]) for s in (sx,sy,sz)]
G = [g0]+gs
metric = np.diag([1.,-1,-1,-1])
def slash(p): return sum(metric[m,m]*p[m]*G[m] for m in range(4))
def dot(a,b): return a[0]*b[0]-a[1:]@b[1:]
E4 = np.eye(4)

def msq(kind, p, q, pp, k, me, m, g=1.0, e=1.0):
    """spin/pol-summed |M|^2 (sum over all, no averaging)"""
    S1 = slash(p+q)+me*E4; d1 = dot(p+q,p+q)-me**2
    S2 = slash(p-k)+me*E4; d2 = dot(p-k,p-k)-me**2
    Pp = slash(pp)+me*E4; P = slash(p)+me*E4
    tot = 0.0
    if kind=='S':
        for mu in range(4):
            # Gamma^mu = g*e*[ S1 gamma^mu /d1 + gamma^mu S2 /d2 ]
            Gm = g*e*(S1@G[mu]/d1 + G[mu]@S2/d2)
            Gmbar = g0@Gm.conj().T@g0
            tot += -metric[mu,mu]*np.trace(Pp@Gm@P@Gmbar)
    else:
        for mu in range(4):
            for nu in range(4):
                Gm = g*e*(G[nu]@S1@G[mu]/d1 + G[mu]@S2@G[nu]/d2)
                Gmbar = g0@Gm.conj().T@g0
                # photon pol sum -g_{mu mu}; massive vector pol sum -g + k k/m^2 (kk drops, current conserved)
                tot += metric[mu,mu]*metric[nu,nu]*np.trace(Pp@Gm@P@Gmbar)
    return tot.real

def A_LM(kind, ut, x, me, m):
    c = ut*x + m**2*(1-x) + me**2*x**2
    if kind=='S':   # 1609.06781 (scalar)
        return x**2/(1-x) + 2*(m**2-4*me**2)/ut**2*c
    else:           # BEST 0906.0580 / 1705.01633 (vector)
        return 2*(2-2*x+x**2)/(1-x) + 4*(m**2+2*me**2)/ut**2*c

def kin(me, m, sqrt_s, cth):
    s = sqrt_s**2
    # CM frame: photon along +z, electron along -z
    pin = (s-me**2)/(2*sqrt_s)
    q = np.array([pin,0,0,pin]); p = np.array([np.sqrt(pin**2+me**2),0,0,-pin])
    pout = np.sqrt((s-(me+m)**2)*(s-(me-m)**2))/(2*sqrt_s)
    sth = np.sqrt(1-cth**2)
    k = np.array([np.sqrt(pout**2+m**2), pout*sth,0,pout*cth])
    pp = np.array([np.sqrt(pout**2+me**2), -pout*sth,0,-pout*cth])
    return p,q,pp,k

me, m = 0.000511, 0.017
print(" kind   sum|M|^2/(g^2 e^2 A_LM)   x")
for trial in range(6):
    sqrt_s = (me+m)*(1+ 3*rng.random())
    cth = 2*rng.random()-1
    p,q,pp,k = kin(me,m,sqrt_s,cth)
    st = dot(p+q,p+q)-me**2; ut = dot(p-k,p-k)-me**2
    x = 1 + ut/st
    for kind in 'SV':
        M2 = msq(kind,p,q,pp,k,me,m)
        print(kind, M2/A_LM(kind,ut,x,me,m), round(x,4))
