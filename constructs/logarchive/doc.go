// Package logarchive builds the log archive that lives in the logging
// account: the bucket that receives the workload account's CloudTrail logs,
// the customer-managed KMS key that encrypts them, and the bucket that
// receives the archive's own S3 server access logs.
//
// The seed ("Audit & detection") asks that the trail write to "a dedicated
// logging account with write-only permissions — even root in the main account
// can't delete the trail". This package makes that true in the logging
// account's resource policies:
//
//   - the bucket policy lets cloudtrail.amazonaws.com call s3:GetBucketAcl and
//     s3:PutObject, only for the one workload trail (aws:SourceArn), and grants
//     no delete to anyone; an explicit deny refuses object deletion to every
//     principal outside the logging account;
//   - Object Lock keeps every log object for a default retention (GOVERNANCE
//     or COMPLIANCE mode), so even the logging account cannot delete early in
//     COMPLIANCE mode;
//   - the key policy lets CloudTrail generate data keys only for that trail
//     (aws:SourceArn and the aws:cloudtrail:arn encryption context), and lets
//     the logging account, and no other, decrypt the logs.
//
// Controls implemented here (see docs/CONTROLS.md): LOG-1 to LOG-8, and, for
// its keys and buckets, KMS-1 (rotation) and RET-1 (retained on deletion).
//
// Inputs are in Props; every name that the workload account also uses comes
// from config (names.go), never typed here.
package logarchive
