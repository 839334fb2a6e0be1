// Package logbucket builds the buckets that receive AWS services' log
// deliveries which cannot write to SSE-KMS buckets: S3 server access logs and
// Application Load Balancer access logs.
//
// Such a bucket is encrypted with SSE-S3 (the only encryption those
// deliveries support), blocks all public access, enforces bucket-owner object
// ownership, denies every request without TLS 1.2 or later, is versioned,
// expires its logs after a set number of days and is retained when its stack
// is deleted.
//
// Controls implemented here (see docs/CONTROLS.md): LOG-2, LOG-4 and LOG-7
// for the log archive's access-log bucket; EDGE-3 for the workload's
// access-log bucket; RET-1 for both.
package logbucket
