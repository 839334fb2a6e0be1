#!/usr/bin/env python3
"""The sample web application of secure-webapp. Replace it with yours.

It shows the pattern the template is built for:
- the database credentials are fetched from Secrets Manager at start-up,
  with the instance role, and kept in memory only (never in an environment
  variable, a file or user data); after a rotation, a failed login fetches
  them again;
- PostgreSQL is reached over TLS, verifying the server against the RDS CA
  bundle (sslmode=verify-full);
- the only write the role allows is an object under one prefix of the
  application bucket;
- HTTPS is served on the app port with a certificate made at boot, for the
  load balancer's hop inside the VPC.
"""
import json
import ssl
import subprocess
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2

CONFIG_FILE = "/etc/webapp/config.json"  # non-secret settings, written by user data
CA_BUNDLE = "/etc/webapp/rds-ca.pem"
TLS_CERT, TLS_KEY = "/etc/webapp/tls.crt", "/etc/webapp/tls.key"

with open(CONFIG_FILE) as f:
    CONFIG = json.load(f)

_lock = threading.Lock()
_credentials = None


def aws(*args, stdin=None):
    """Runs the AWS CLI (preinstalled on Amazon Linux 2023) with the instance role."""
    out = subprocess.run(["aws", "--region", CONFIG["region"], *args], input=stdin,
                         capture_output=True, check=True, text=True)
    return out.stdout


def credentials(refresh=False):
    """The database secret, fetched once, and again after a rotation."""
    global _credentials
    with _lock:
        if _credentials is None or refresh:
            _credentials = json.loads(aws("secretsmanager", "get-secret-value",
                                          "--secret-id", CONFIG["secretArn"],
                                          "--query", "SecretString", "--output", "text"))
        return _credentials


def connect():
    for attempt in (1, 2):
        c = credentials(refresh=attempt == 2)
        try:
            return psycopg2.connect(host=c["host"], port=c["port"], dbname=c["dbname"],
                                    user=c["username"], password=c["password"],
                                    sslmode="verify-full", sslrootcert=CA_BUNDLE, connect_timeout=5)
        except psycopg2.OperationalError as e:
            if attempt == 2 or "password authentication failed" not in str(e):
                raise


def instance_id():
    token = urllib.request.urlopen(urllib.request.Request(
        "http://169.254.169.254/latest/api/token", method="PUT",
        headers={"X-aws-ec2-metadata-token-ttl-seconds": "60"}), timeout=2).read().decode()
    return urllib.request.urlopen(urllib.request.Request(
        "http://169.254.169.254/latest/meta-data/instance-id",
        headers={"X-aws-ec2-metadata-token": token}), timeout=2).read().decode()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/health":
            return self.reply(200, "ok\n")
        if self.path != "/":
            return self.reply(404, "not found\n")
        try:
            with connect() as conn, conn.cursor() as cur:
                cur.execute("SELECT version(), (SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid())")
                version, tls = cur.fetchone()
            body = f"secure-webapp is running.\nDatabase: {version}\nConnection: {tls}, server certificate verified\n"
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
    credentials()  # fail fast, at start-up, when the secret cannot be read
    started = json.dumps({"instance": instance_id(), "event": "started"})
    aws("s3", "cp", "-", f"s3://{CONFIG['bucket']}/{CONFIG['prefix']}/started/{instance_id()}.json",
        stdin=started)  # encrypted with the bucket's own key, by default
    server = ThreadingHTTPServer(("0.0.0.0", CONFIG["port"]), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(TLS_CERT, TLS_KEY)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
