#!/usr/bin/env python3
"""The sample web application of secure-webapp. Replace it with yours.

It shows the pattern the template is built for:
- the app logs in to PostgreSQL as its own user, with IAM database
  authentication: a token signed with the instance role's credentials, valid
  for 15 minutes, made locally by the AWS CLI (no password, no secret, no
  network call); the user may read and add rows of app.visits and nothing
  more (see constructs/database/appuser.go);
- PostgreSQL is reached over TLS, verifying the server against the RDS root
  CAs of the region that user data wrote (sslmode=verify-full);
- the only write the role allows in S3 is an object under one prefix of the
  application bucket;
- HTTPS is served on the app port with a certificate made at boot, for the
  load balancer's hop inside the VPC.
"""
import json
import ssl
import subprocess
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2

CONFIG_FILE = "/etc/webapp/config.json"  # non-secret settings, written by user data
TLS_CERT, TLS_KEY = "/etc/webapp/tls.crt", "/etc/webapp/tls.key"
TOKEN_REUSE_SECONDS = 600  # tokens are valid for 15 minutes; a fresh one well before

with open(CONFIG_FILE) as f:
    CONFIG = json.load(f)

_lock = threading.Lock()
_token = (float("-inf"), "")  # no token yet: the first call makes one


def aws(*args, stdin=None):
    """Runs the AWS CLI (preinstalled on Amazon Linux 2023) with the instance role."""
    out = subprocess.run(["aws", "--region", CONFIG["region"], *args], input=stdin,
                         capture_output=True, check=True, text=True)
    return out.stdout


def auth_token():
    """An IAM authentication token for the app's database user, reused for a while."""
    global _token
    with _lock:
        made, token = _token
        if time.monotonic() - made > TOKEN_REUSE_SECONDS:
            token = aws("rds", "generate-db-auth-token", "--hostname", CONFIG["dbHost"],
                        "--port", str(CONFIG["dbPort"]), "--username", CONFIG["dbUser"]).strip()
            _token = (time.monotonic(), token)
        return token


def connect():
    return psycopg2.connect(host=CONFIG["dbHost"], port=CONFIG["dbPort"], dbname=CONFIG["dbName"],
                            user=CONFIG["dbUser"], password=auth_token(),
                            sslmode="verify-full", sslrootcert=CONFIG["caBundle"], connect_timeout=5)


def instance_id():
    token = urllib.request.urlopen(urllib.request.Request(
        "http://169.254.169.254/latest/api/token", method="PUT",
        headers={"X-aws-ec2-metadata-token-ttl-seconds": "60"}), timeout=2).read().decode()
    return urllib.request.urlopen(urllib.request.Request(
        "http://169.254.169.254/latest/meta-data/instance-id",
        headers={"X-aws-ec2-metadata-token": token}), timeout=2).read().decode()


INSTANCE = None


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/health":
            return self.reply(200, "ok\n")
        if self.path != "/":
            return self.reply(404, "not found\n")
        try:
            conn = connect()
            try:
                with conn, conn.cursor() as cur:  # one transaction, committed on success
                    cur.execute("INSERT INTO app.visits (instance) VALUES (%s)", (INSTANCE,))
                    cur.execute("SELECT count(*), current_user, version(),"
                                " (SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid()) FROM app.visits")
                    visits, user, version, tls = cur.fetchone()
            finally:
                conn.close()
            body = (f"secure-webapp is running.\nDatabase: {version}\nUser: {user} (IAM authentication)\n"
                    f"Connection: {tls}, server certificate verified\nVisits: {visits}\n")
            self.reply(200, body)
        except Exception as e:  # the sample shows the failure; yours should log it instead
            self.reply(503, f"database unavailable: {type(e).__name__}\n")

    def reply(self, status, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Strict-Transport-Security", "max-age=31536000")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(data)


def main():
    global INSTANCE
    INSTANCE = instance_id()
    auth_token()  # fail fast, at start-up, when the role cannot sign a token
    started = json.dumps({"instance": INSTANCE, "event": "started"})
    aws("s3", "cp", "-", f"s3://{CONFIG['bucket']}/{CONFIG['prefix']}/started/{INSTANCE}.json",
        stdin=started)  # encrypted with the bucket's own key, by default
    server = ThreadingHTTPServer(("0.0.0.0", CONFIG["port"]), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(TLS_CERT, TLS_KEY)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
