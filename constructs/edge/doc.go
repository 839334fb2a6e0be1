// Package edge builds the HTTPS edge of the workload: an internet-facing
// Application Load Balancer in the Public subnets with an ACM certificate,
// and the WAF web ACL in front of it.
//
// The load balancer listens on 443 with a TLS 1.3 security policy
// (ELBSecurityPolicy-TLS13-1-2-Res-2021-06: TLS 1.3 and 1.2 with forward-secret
// AEAD ciphers only) and on 80 only to redirect to HTTPS. It drops invalid
// header fields, applies the strictest desync mitigation, has deletion
// protection in production, and writes access logs to the workload's SSE-S3
// access-log bucket. It forwards over HTTPS to the app port; its security
// group admits 443 and 80 from anywhere and may send only to the app tier's
// security group on the app port.
//
// The certificate is imported (certificateArn), or issued and DNS-validated
// through Route 53 (hostedZoneId, which also gets an alias record for the
// domain), or issued and left waiting for the validation record its owner
// creates.
//
// The web ACL runs the AWS managed rule groups Common, Known Bad Inputs, SQL
// injection and Amazon IP reputation, and a per-IP rate limit, and logs to an
// encrypted, retained log group.
//
// The certificate is validated through hostedZoneId when it is set; without
// it, and without certificateArn, ACM waits for a record made by hand, which
// the configuration refuses when githubRepository deploys unattended
// (LIFE-7).
//
// Controls implemented here (see docs/CONTROLS.md): EDGE-1, EDGE-2, EDGE-3,
// EDGE-4, EDGE-5, LIFE-7, and, for its keys and log group, KMS-1 and RET-1.
package edge
