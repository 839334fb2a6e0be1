// Package emptybucket empties a bucket when, and only when, the failed
// first create of its stack rolls back.
//
// A retained bucket (RetainExceptOnCreate) is deleted by CloudFormation
// only when the operation that made it rolls back: for this package, the
// stack's failed first create (a bucket added by a failed update is left,
// with what it holds, and the function does nothing then). S3 deletes no
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
// While a bucket's policy exists it denies the function's role every
// deletion in the bucket, so the function can empty it only once the
// rollback has deleted that policy: someone who could change the
// function's code could still not delete through its role. Only a rollback
// that CloudFormation runs to its end completes (ROLLBACK_FAILED then
// DELETE_IN_PROGRESS keeps the buckets, with what they hold), and a
// rollback started later by hand (cdk rollback of a stack created with
// --no-rollback) empties them as it deletes them.
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
