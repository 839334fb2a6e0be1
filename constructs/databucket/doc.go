// Package databucket builds the buckets that hold data rather than logs (the
// application's uploads, AWS Config's history) the one way this app allows:
// SSE-KMS under a customer-managed key with S3 Bucket Keys, all public access
// blocked, bucket-owner object ownership, TLS 1.2 or later only, versioned,
// old versions expired after 90 days, server access logs to the workload's
// log bucket, retained when the stack is deleted.
//
// Controls implemented here (see docs/CONTROLS.md): APP-4 and DET-3 for the
// buckets they check, and RET-1.
package databucket
