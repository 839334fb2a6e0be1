#!/bin/bash
# User data of the app instances. It holds no secret: the application logs
# in to the database with IAM authentication tokens it signs at run time
# (see app.py).
set -euo pipefail

# Security updates first, from the newest Amazon Linux 2023 release, and
# then every day (see security-updates.timer below). The repositories are S3
# buckets of AWS, reached through the VPC's S3 gateway endpoint, whose policy
# admits them; the instance role needs no permission for them.
dnf -y upgrade --releasever=latest --security
dnf -y install python3-psycopg2

useradd --system --no-create-home --shell /sbin/nologin webapp
install -d -m 0750 -o root -g webapp /etc/webapp
install -d -m 0755 /opt/webapp

cat > /etc/webapp/config.json <<'CONFIG'
{{.Config}}
CONFIG

# The root certificate authorities of RDS in this region, to verify the
# database server: part of the template (internal/rdsca), not downloaded.
cat > /etc/webapp/rds-ca.pem <<'CA'
{{.CABundle}}CA

# A self-signed certificate for the load balancer's hop inside the VPC (the
# load balancer does not verify targets' certificates; it does encrypt).
openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=webapp" \
  -keyout /etc/webapp/tls.key -out /etc/webapp/tls.crt
chown root:webapp /etc/webapp/*; chmod 0640 /etc/webapp/*

cat > /opt/webapp/app.py <<'APP'
{{.App}}
APP

cat > /etc/systemd/system/webapp.service <<'UNIT'
[Unit]
Description=secure-webapp sample application
After=network-online.target
Wants=network-online.target

[Service]
User=webapp
ExecStart=/usr/bin/python3 /opt/webapp/app.py
Restart=always
RestartSec=5
NoNewPrivileges=true
ProtectSystem=strict
ProtectHome=true
PrivateTmp=true
PrivateDevices=true
CapabilityBoundingSet=
AmbientCapabilities=

[Install]
WantedBy=multi-user.target
UNIT

cat > /etc/systemd/system/security-updates.service <<'UNIT'
[Unit]
Description=Apply Amazon Linux security updates, and reboot if they need it

[Service]
Type=oneshot
ExecStart=/bin/bash -c 'dnf -y upgrade --releasever=latest --security && (dnf needs-restarting -r || systemctl reboot)'
UNIT

cat > /etc/systemd/system/security-updates.timer <<'UNIT'
[Unit]
Description=Daily security updates

[Timer]
OnCalendar=daily
RandomizedDelaySec=1h
Persistent=true

[Install]
WantedBy=timers.target
UNIT

systemctl daemon-reload
systemctl enable --now webapp.service security-updates.timer
