// Package emptybucket empties a bucket when, and only when, the failed
// first create of its stack rolls back.
//
// A retained bucket (RetainExceptOnCreate) is deleted by CloudFormation in
// one case only: the rollback of the create that made it. S3 deletes no
// bucket that holds objects, so a bucket that services deliver into while
// the stack is still being created (the AWS Config delivery channel's
// bucket, which receives a check file and the first history at once; a
// bucket that receives server access logs) would stop that rollback in
// ROLLBACK_FAILED, with the stack's other resources left behind. Each such
// bucket gets a custom resource, Custom::EmptyOnRollback, created after the
// bucket and before the bucket's policy. In a rollback CloudFormation
// deletes them in the reverse order: the policy first, which stops every
// delivery (the delivering services write only as that policy admits
// them: the buckets enforce bucket-owner object ownership, so no ACL
// grants them anything), then the custom resource, whose function empties
// the bucket (every version and delete marker), then the bucket.
//
// The function acts only while its stack's status, which it reads from
// CloudFormation rather than from the request, is ROLLBACK_IN_PROGRESS
// (CloudFormation user guide, "Stack status codes": the removal of a
// stack after a failed create). No later operation of a stack that was
// created reaches that status, so the function, and its permission to
// delete object versions in these buckets, can never touch a bucket that
// outlived its first create: on cdk destroy the buckets are retained and it
// does nothing. One function per stack serves every bucket of the stack
// (its role may list and delete versions in those buckets only, and read
// its own stack's status).
//
// Controls implemented here (see docs/CONTROLS.md): LIFE-8, and, for its key
// and log group, KMS-1 and RET-1.
package emptybucket
