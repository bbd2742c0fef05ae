#!/usr/bin/env python3
# Regenerates Sources/APIModel/Protobuf/ProtobufSchemaTable.swift from the protobuf file
# descriptors a kubectl binary embeds (gzipped FileDescriptorProtos of k8s.io/api and
# k8s.io/apimachinery). Usage: generate-schema.py /path/to/kubectl.1.33 > ProtobufSchemaTable.swift
import sys, os, re, zlib
def varint(b,i):
    r=0;s=0
    while True:
        c=b[i];i+=1;r|=(c&0x7f)<<s;s+=7
        if c<0x80: return r,i
def fields(b):
    i=0;out=[]
    while i<len(b):
        k,i=varint(b,i);fn=k>>3;wt=k&7
        if wt==0: v,i=varint(b,i)
        elif wt==2:
            l,i=varint(b,i);v=b[i:i+l];i+=l
        elif wt==1: v=b[i:i+8];i+=8
        elif wt==5: v=b[i:i+4];i+=4
        else: raise Exception("wt%d"%wt)
        out.append((fn,wt,v))
    return out
TYPES={1:'double',2:'float',3:'int64',4:'uint64',5:'int32',8:'bool',9:'string',11:'message',12:'bytes',13:'uint32',14:'enum',17:'sint32',18:'sint64'}
def parse_field(b):
    f={}
    for fn,wt,v in fields(b):
        if fn==1: f['name']=v.decode()
        elif fn==3: f['number']=v
        elif fn==4: f['label']=v
        elif fn==5: f['type']=TYPES.get(v,v)
        elif fn==6: f['type_name']=v.decode()
        elif fn==10: f['json']=v.decode()
        elif fn==8: f['opts']=fields(v)
    return f
def parse_msg(b,prefix):
    m={'fields':[],'nested':[],'map':False}
    for fn,wt,v in fields(b):
        if fn==1: m['name']=v.decode()
        elif fn==2: m['fields'].append(parse_field(v))
        elif fn==3: m['nested'].append(v)
        elif fn==7:
            for a,_,c in fields(v):
                if a==7 and c: m['map']=True
    m['full']=prefix+'.'+m['name']
    m['nested']=[parse_msg(n,m['full']) for n in m['nested']]
    return m
def parse_file(b):
    pkg='';msgs=[]
    raw=[]
    for fn,wt,v in fields(b):
        if fn==2: pkg=v.decode()
        elif fn==4: raw.append(v)
    return pkg,[parse_msg(r,'.'+pkg) for r in raw]
ALL={}
def walk(m):
    ALL[m['full']]=m
    for n in m['nested']: walk(n)
def load(binary):
    data = open(binary, 'rb').read()
    header = b'\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff'
    for match in re.finditer(re.escape(header), data):
        try:
            out = zlib.decompressobj(31).decompress(data[match.start():match.start() + 3000000])
        except Exception:
            continue
        if b'generated.proto' in out[:300]:
            pkg, ms = parse_file(out)
            for m in ms: walk(m)
load(sys.argv[1])
ROOTS = """core.v1.Namespace core.v1.ConfigMap core.v1.Secret core.v1.Service core.v1.ServiceAccount core.v1.Pod
core.v1.Node core.v1.Endpoints core.v1.Event core.v1.PersistentVolume core.v1.PersistentVolumeClaim
core.v1.ReplicationController core.v1.Binding core.v1.PodTemplate core.v1.LimitRange core.v1.ResourceQuota
apps.v1.Deployment apps.v1.ReplicaSet apps.v1.StatefulSet apps.v1.DaemonSet apps.v1.ControllerRevision
batch.v1.Job batch.v1.CronJob policy.v1.PodDisruptionBudget policy.v1.Eviction scheduling.v1.PriorityClass
coordination.v1.Lease discovery.v1.EndpointSlice events.v1.Event storage.v1.StorageClass
authentication.v1.TokenRequest authorization.v1.SelfSubjectAccessReview authorization.v1.SelfSubjectRulesReview
authorization.v1.SubjectAccessReview autoscaling.v1.Scale
rbac.v1.Role rbac.v1.ClusterRole rbac.v1.RoleBinding rbac.v1.ClusterRoleBinding networking.v1.Ingress
networking.v1.IngressClass networking.v1.NetworkPolicy autoscaling.v1.HorizontalPodAutoscaler
autoscaling.v2.HorizontalPodAutoscaler certificates.v1.CertificateSigningRequest""".split()
SPECIAL = {'.k8s.io.apimachinery.pkg.apis.meta.v1.Time':'T', '.k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime':'U',
 '.k8s.io.apimachinery.pkg.apis.meta.v1.Duration':'D', '.k8s.io.apimachinery.pkg.api.resource.Quantity':'Q',
 '.k8s.io.apimachinery.pkg.util.intstr.IntOrString':'I', '.k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1':'F',
 '.k8s.io.apimachinery.pkg.runtime.RawExtension':'R', '.k8s.io.api.authorization.v1.ExtraValue':'X', '.k8s.io.api.authentication.v1.ExtraValue':'X'}
roots=['.k8s.io.api.'+r for r in ROOTS]+['.k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions','.k8s.io.apimachinery.pkg.apis.meta.v1.Status']
SCALAR={'string':'s','int32':'i','int64':'i','uint32':'i','uint64':'i','sint32':'i','sint64':'i','bool':'b','bytes':'y','double':'d','float':'f'}
# Go embedded structs tagged `json:",inline"` (the descriptors cannot tell them from named fields).
INLINE = {('core.v1.Volume', 'volumeSource'), ('core.v1.PersistentVolumeSpec', 'persistentVolumeSource'),
          ('core.v1.EphemeralContainer', 'ephemeralContainerCommon'), ('core.v1.Probe', 'handler'),
          ('networking.v1.IngressRule', 'ingressRuleValue')} | {(m, 'localObjectReference') for m in (
          'core.v1.ConfigMapVolumeSource', 'core.v1.ConfigMapEnvSource', 'core.v1.SecretEnvSource',
          'core.v1.ConfigMapKeySelector', 'core.v1.SecretKeySelector', 'core.v1.SecretProjection',
          'core.v1.ConfigMapProjection')}
seen=set(); order=[]
def short(t): return t.lstrip('.').replace('k8s.io.api.','').replace('k8s.io.apimachinery.pkg.apis.','').replace('k8s.io.apimachinery.pkg.','')
def kindOf(f):
    t=f['type']
    if t=='message':
        tn=f['type_name']
        if tn in SPECIAL: return SPECIAL[tn]
        if tn.endswith('.ExtraValue'): return 'X'
        m=ALL[tn]
        if m['map']:
            k=[x for x in m['fields'] if x['number']==1][0]; v=[x for x in m['fields'] if x['number']==2][0]
            return 'M'+SCALAR[k['type']]+':'+kindOf(v)
        visit(tn)
        return 'm:'+short(tn)
    return SCALAR[t]
def visit(tn):
    if tn in seen: return
    seen.add(tn); order.append(tn)
lines=[]
for r in roots: visit(r)
i=0
while i<len(order):
    tn=order[i]; i+=1
    m=ALL[tn]
    parts=[short(tn)]
    for f in m['fields']:
        k=kindOf(f)
        nullable = not any(o[0]==65001 and o[2]==0 for o in f.get('opts',[]))
        card = '*' if f['label']==3 else ('?' if nullable else '')
        if (short(tn), f['name']) in INLINE:
            card = '^'
        if k.startswith('M'): card=''
        parts.append('%d %s %s%s'%(f['number'],f['name'],k,card))
    lines.append('|'.join(parts))

HEADER = '''// Generated by Tests/APIModelTests/Fixtures/Protobuf/generate-schema.py from the protobuf file
// descriptors kubectl 1.33 embeds for k8s.io/api and k8s.io/apimachinery (facts only: field
// numbers, names, types). One message per line: `Message|number name kind|…`. Kinds: s string,
// i varint integer, b bool, y bytes, d double, f float, T metav1.Time, U metav1.MicroTime,
// D metav1.Duration, Q resource.Quantity, I IntOrString, F FieldsV1, R RawExtension,
// X authorization ExtraValue, m:<Message> a nested message, M<key>:<value> a map. Suffix `?`
// = Go pointer (emitted even when zero), `*` = repeated, `^` = embedded struct inlined in JSON.
extension ProtobufSchema {
    static let table = """
'''
sys.stdout.write(HEADER + '\n'.join('    ' + l for l in lines) + '\n    """\n}\n')
