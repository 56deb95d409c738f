"""An independent SOAP stack for the SOAP adapter's tests: a spyne service,
document/literal wrapped as .NET and Java legacy services answer, over SOAP
1.1 at /soap11 and SOAP 1.2 at /soap12 (WSDL at ?wsdl).

    python3 spyne_provider.py     prints the port it listens on (127.0.0.1),
                                  then serves until its stdin closes

TraCuuCongDan(soDinhDanh) answers a citizen with a wrapped list of
documents, each with an attribute: one document normally, none for an
identifier ending in 9, and a Client Fault (Vietnamese reason) for
000000000000.

/secured11 is the same SOAP 1.1 service behind what a legacy provider asks
for besides TLS, checked here independently of the hub's code: HTTP Basic
(hub / p@ss:w0rd, else 401), a WS-Security UsernameToken with
PasswordDigest (lienthong / mật-khẩu-1; fresh Created, a nonce never seen
before, a wsu:Timestamp as WCF requires) and the service's own
<AuthHeader xmlns="urn:legacy:auth"><Key>k-1</Key></AuthHeader>, else a
wsse:FailedAuthentication Fault naming what failed.
"""
import base64
import datetime
import hashlib
import io
import logging
import sys
import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server
from xml.sax.saxutils import escape

from lxml import etree

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


SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
BASIC = ("hub", "p@ss:w0rd")
TOKEN = ("lienthong", "mật-khẩu-1")
LEGACY = "urn:legacy:auth"
seen_nonces = set()


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def ws_security_problem(body):
    """What is wrong with the request's soap:Header, or None."""
    header = etree.fromstring(body).find("{%s}Header" % SOAP11)
    if header is None:
        return "no soap:Header"
    security = header.find("{%s}Security" % WSSE)
    if security is None:
        return "no wsse:Security header"
    if security.get("{%s}mustUnderstand" % SOAP11) != "1":
        return "wsse:Security is not mustUnderstand"
    now = datetime.datetime.now(datetime.timezone.utc)
    expires = security.findtext("{%s}Timestamp/{%s}Expires" % (WSU, WSU))
    if expires is None or parse_time(expires) <= now:
        return "no wsu:Timestamp, or an expired one"
    token = security.find("{%s}UsernameToken" % WSSE)
    if token is None:
        return "no UsernameToken"
    password = token.find("{%s}Password" % WSSE)
    nonce = token.findtext("{%s}Nonce" % WSSE)
    created = token.findtext("{%s}Created" % WSU)
    if password is None or nonce is None or created is None:
        return "the UsernameToken lacks Password, Nonce or Created"
    if not password.get("Type", "").endswith("#PasswordDigest"):
        return "not a PasswordDigest"
    if abs((now - parse_time(created)).total_seconds()) > 300:
        return "Created is not fresh"
    if nonce in seen_nonces:
        return "replayed nonce"
    seen_nonces.add(nonce)
    digest = base64.b64encode(hashlib.sha1(
        base64.b64decode(nonce) + created.encode() + TOKEN[1].encode()).digest()).decode()
    if token.findtext("{%s}Username" % WSSE) != TOKEN[0] or password.text != digest:
        return "wrong username or password digest"
    if header.findtext("{%s}AuthHeader/{%s}Key" % (LEGACY, LEGACY)) != "k-1":
        return "no AuthHeader with the service key"
    return None


def secured(app):
    expected = "Basic " + base64.b64encode(("%s:%s" % BASIC).encode()).decode()

    def check(environ, start_response):
        if environ.get("HTTP_AUTHORIZATION") != expected:
            start_response("401 Unauthorized", [("WWW-Authenticate", 'Basic realm="hotich"'),
                                                ("Content-Type", "text/plain")])
            return [b"authentication required"]
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        problem = ws_security_problem(body)
        if problem is not None:
            start_response("500 Internal Server Error", [("Content-Type", "text/xml; charset=utf-8")])
            return [('<soap:Envelope xmlns:soap="%s"><soap:Body><soap:Fault>'
                     '<faultcode xmlns:wsse="%s">wsse:FailedAuthentication</faultcode>'
                     '<faultstring>%s</faultstring></soap:Fault></soap:Body></soap:Envelope>'
                     % (SOAP11, WSSE, escape(problem))).encode()]
        environ["wsgi.input"] = io.BytesIO(body)
        return app(environ, start_response)
    return check


ROUTES = {"/soap11": application(Soap11), "/soap12": application(Soap12),
          "/secured11": secured(application(Soap11))}


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
