"""An independent SOAP stack for the SOAP adapter's tests: a spyne service,
document/literal wrapped as .NET and Java legacy services answer, over SOAP
1.1 at /soap11 and SOAP 1.2 at /soap12 (WSDL at ?wsdl).

    python3 spyne_provider.py     prints the port it listens on (127.0.0.1),
                                  then serves until its stdin closes

TraCuuCongDan(soDinhDanh) answers a citizen with a wrapped list of
documents, each with an attribute: one document normally, none for an
identifier ending in 9, and a Client Fault (Vietnamese reason) for
000000000000.
"""
import datetime
import logging
import sys
import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

from spyne import (Application, Array, ComplexModel, Date, Fault, ServiceBase, Unicode,
                   XmlAttribute, rpc)
from spyne.protocol.soap import Soap11, Soap12
from spyne.server.wsgi import WsgiApplication

NAMESPACE = "urn:lienthong:test:hotich"


class GiayTo(ComplexModel):
    __namespace__ = NAMESPACE
    loai = XmlAttribute(Unicode)
    so = Unicode


class CongDan(ComplexModel):
    __namespace__ = NAMESPACE
    hoTen = Unicode
    ngaySinh = Date
    giayTo = Array(GiayTo)


class HoTich(ServiceBase):
    @rpc(Unicode, _returns=CongDan)
    def TraCuuCongDan(ctx, soDinhDanh):
        if soDinhDanh == "000000000000":
            raise Fault(faultcode="Client", faultstring="Không tìm thấy công dân " + soDinhDanh)
        documents = [] if soDinhDanh.endswith("9") else [GiayTo(loai="CCCD", so=soDinhDanh)]
        return CongDan(hoTen="Nguyễn Thị Hoa", ngaySinh=datetime.date(1990, 5, 17),
                       giayTo=documents)


def application(protocol):
    return WsgiApplication(Application([HoTich], tns=NAMESPACE, in_protocol=protocol(validator="lxml"),
                                       out_protocol=protocol()))


ROUTES = {"/soap11": application(Soap11), "/soap12": application(Soap12)}


def dispatch(environ, start_response):
    app = ROUTES.get(environ.get("PATH_INFO", ""))
    if app is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"no such service"]
    return app(environ, start_response)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def main():
    logging.basicConfig(level=logging.ERROR)
    server = make_server("127.0.0.1", 0, dispatch, handler_class=QuietHandler)
    print(server.server_port, flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # the test closes it (or dies): stop then
    server.shutdown()


if __name__ == "__main__":
    main()
