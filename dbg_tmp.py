import sys, yaml
from pathlib import Path
from fundflow.readers import read_workbook
from fundflow.suggest import suggest_workbook
from fundflow.adapters.spec import AdapterSpec
from fundflow.importer import FileResult, build_batch
p=Path(sys.argv[1]); wb,_=read_workbook(p)
d=yaml.safe_load(suggest_workbook(p,wb).yaml)
for t in d["tables"]:
    t["fields"]["stream_id"]={"const":"S"}; t["fields"]["funder_id"]={"const":"F"}
r=FileResult(p,"checked"); build_batch(p,wb,AdapterSpec.model_validate(d),r)
for i in r.issues[:6]: print(i.code,i.sheet,i.cell,i.value,i.message[:100])
