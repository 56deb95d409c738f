"""The other independent SOAP stack: calls the spyne service with zeep
(from its WSDL) and prints what zeep read, as JSON, for the tests to
compare with the hub's answer.

    python3 zeep_client.py http://127.0.0.1:PORT/soap11 SO_DINH_DANH
    python3 zeep_client.py --wsdl http://127.0.0.1:PORT/soap11   prints the WSDL
"""
import json
import sys

import zeep
from zeep.helpers import serialize_object


def main():
    if sys.argv[1] == "--wsdl":
        sys.stdout.write(zeep.Transport().load(sys.argv[2] + "?wsdl").decode("utf-8"))
        return
    url, identifier = sys.argv[1], sys.argv[2]
    client = zeep.Client(url + "?wsdl")
    answer = serialize_object(client.service.TraCuuCongDan(identifier), dict)
    documents = (answer.get("giayTo") or {}).get("GiayTo") or []
    print(json.dumps({
        "hoTen": answer["hoTen"],
        "ngaySinh": answer["ngaySinh"].isoformat(),
        "giayTo": [{"loai": d["loai"], "so": d["so"]} for d in documents],
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
