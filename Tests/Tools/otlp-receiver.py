#!/usr/bin/env python3
"""A loopback OTLP/HTTP receiver for the tracing test: takes POST /v1/traces (protobuf), decodes it
with opentelemetry-proto and appends one JSON line per span to the file named by the first
argument. Prints the port it listens on, then serves until killed."""
import binascii
import json
import signal
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

OUT = sys.argv[1]


def value(any_value):
    kind = any_value.WhichOneof("value")
    return getattr(any_value, kind) if kind else None


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path != "/v1/traces":
            self.send_response(404)
            self.end_headers()
            return
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        with open(OUT, "a", encoding="utf-8") as out:
            for resource_spans in request.resource_spans:
                resource = {a.key: value(a.value) for a in resource_spans.resource.attributes}
                for scope_spans in resource_spans.scope_spans:
                    for span in scope_spans.spans:
                        out.write(json.dumps({
                            "name": span.name,
                            "trace_id": binascii.hexlify(span.trace_id).decode(),
                            "span_id": binascii.hexlify(span.span_id).decode(),
                            "parent_span_id": binascii.hexlify(span.parent_span_id).decode(),
                            "attributes": {a.key: value(a.value) for a in span.attributes},
                            "service": resource.get("service.name"),
                        }) + "\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *args):
        pass


# The test process may hand SIGTERM down ignored or blocked: take it back, and end on it.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
server = HTTPServer(("127.0.0.1", 0), Receiver)
print(server.server_address[1], flush=True)
server.serve_forever()
