#!/usr/bin/env python3
# Reference values for paired_test.cc: Newcombe (1998) method 10 for paired proportions,
# and statsmodels confint_proportions_2indep(method="newcomb") for the independent case.
# Run with Debian's /usr/bin/python3 and python3-statsmodels.
import math
from statsmodels.stats.proportion import proportion_confint, confint_proportions_2indep
def paired(a,b,c,d,conf):
    n=a+b+c+d; p1=(a+b)/n; p2=(a+c)/n
    l1,u1=proportion_confint(a+b,n,alpha=1-conf,method='wilson')
    l2,u2=proportion_confint(a+c,n,alpha=1-conf,method='wilson')
    den=(a+b)*(c+d)*(a+c)*(b+d)
    phi=(a*d-b*c)/math.sqrt(den) if den>0 else 0
    lo=p1-p2-math.sqrt((p1-l1)**2-2*phi*(p1-l1)*(u2-p2)+(u2-p2)**2)
    hi=p1-p2+math.sqrt((u1-p1)**2-2*phi*(u1-p1)*(p2-l2)+(p2-l2)**2)
    return p1-p2,lo,hi,phi
# Newcombe 1998 (paired) Table II example rows: (a,b,c,d)
for t,conf in [((1456,60,32,452),0.9),((12,9,2,2),0.95),((30,2,0,8),0.95),((400,25,25,50),0.9),((180,20,5,95),0.95),((0,0,0,10),0.95)]:
    print(t,conf,["%.17g"%v for v in paired(*t,conf)])
for k1,k2,n,conf in [(1516,1488,2000,0.9),(81,72,100,0.95),(9,3,10,0.95)]:
    print(k1,k2,n,conf,["%.17g"%v for v in confint_proportions_2indep(k1,n,k2,n,method='newcomb',compare='diff',alpha=1-conf)])
