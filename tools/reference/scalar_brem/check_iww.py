# IWW kernels: integrate the (numerically verified) 2->2 |A|^2 over u~ exactly as in
# BEST/Liu-Miller:  dsigma/dx = eps^2 alpha^3 chi beta (1-x) * Int_{-inf}^{u_max} du A(u,x)/u^2,
# u_max = -(m^2(1-x)/x + me^2 x) = -D/x,  D = m^2(1-x) + me^2 x^2.
import numpy as np
from scipy.integrate import quad
me = 0.000511
def A(kind,u,x,m):
    c = u*x + m**2*(1-x) + me**2*x**2
    if kind=='S': return x**2/(1-x) + 2*(m**2-4*me**2)/u**2*c
    return 2*(2-2*x+x**2)/(1-x) + 4*(m**2+2*me**2)/u**2*c
def K_num(kind,x,m):           # in units of eps^2 alpha^3 chi beta ; divide by 4 -> DPT kernel
    D = m**2*(1-x)+me**2*x**2; umax = -D/x
    # substitute u = umax/s, s in (0,1]:  du = -umax/s^2 ds
    f = lambda s: A(kind,umax/s,x,m)/(umax/s)**2 * (-umax)/s**2
    return (1-x)*quad(f,0,1,epsabs=0,epsrel=1e-11,limit=400)[0]/4
def K_closed(kind,x,m):        # DPT-normalised kernel (multiplies 4 alpha^3 eps^2 phi_N / E')
    D = m**2*(1-x)+me**2*x**2
    if kind=='S': return x**3*(2*D + me**2*(2-x)**2)/(12*D**2)
    return x*(2*D*(3-3*x+x**2) + me**2*x**2*(x**2+2*x-2))/(6*D**2)
def K_lead(kind,x,m):          # m_e^2 dropped in numerators (DPT Eq. 4.6 convention)
    D = m**2*(1-x)+me**2*x**2
    return x**3/(6*D) if kind=='S' else x*(1-x+x**2/3)/D
print("1) numeric u-integral vs closed forms (ratios should be 1)")
for m in (0.001, 0.017, 0.1):
    for x in (0.05, 0.3, 0.7, 0.99, 0.99999):
        print(f"  m={m:6.3f} x={x:<8} S {K_num('S',x,m)/K_closed('S',x,m):.10f}  V {K_num('V',x,m)/K_closed('V',x,m):.10f}"
              f"   lead/closed S {K_lead('S',x,m)/K_closed('S',x,m):.4f} V {K_lead('V',x,m)/K_closed('V',x,m):.4f}")
print("2) kernel ratio S/V (leading forms) = x^2/(6(1-x+x^2/3)):")
for x in (1e-3, 0.1, 0.5, 0.9, 0.999):
    m=0.05; print(f"  x={x}: {K_lead('S',x,m)/K_lead('V',x,m):.6f}   formula {x**2/(6*(1-x+x**2/3)):.6f}")
print("   limits: x->1 -> 1/2 ; x->0 -> x^2/6")
print("3) x-integrated (total) kernels, m >> me; leading-log expectation S:(1/6)L/m^2... in DPT units")
for m in (0.005, 0.017, 0.1, 0.5):
    L = np.log(m**2/me**2)
    IS = quad(lambda x: K_lead('S',x,m),0,1,points=[1-me**2/m**2],limit=400)[0]
    IV = quad(lambda x: K_lead('V',x,m),0,1,points=[1-me**2/m**2],limit=400)[0]
    ISc = quad(lambda x: K_closed('S',x,m),0,1,points=[1-me**2/m**2],limit=400)[0]
    IVc = quad(lambda x: K_closed('V',x,m),0,1,points=[1-me**2/m**2],limit=400)[0]
    print(f"  m={m}: m^2*IS/L={m**2*IS/L:.4f} (->1/6=0.1667)  m^2*IV/L={m**2*IV/L:.4f} (->1/3=0.3333)  IS/IV={IS/IV:.4f}  exact-numerator IS/IV={ISc/IVc:.4f}")
