// The function of the custom resource Custom::EmptyOnRollback (constructs/emptybucket).
// On Delete, it empties the bucket BucketName (every version and delete
// marker) only while its stack is in ROLLBACK_IN_PROGRESS: the rollback of
// the failed create that made the bucket, the one time CloudFormation
// deletes a retained (RetainExceptOnCreate) bucket, and a status no later
// operation of the stack can reach. Otherwise it does nothing.
const { S3Client, ListObjectVersionsCommand, DeleteObjectsCommand } = require('@aws-sdk/client-s3');
const { CloudFormationClient, DescribeStacksCommand } = require('@aws-sdk/client-cloudformation');
const https = require('https');

exports.handler = async (e) => {
  const bucket = e.ResourceProperties.BucketName;
  let status = 'SUCCESS', reason = '';
  try {
    if (e.RequestType === 'Delete') {
      const out = await new CloudFormationClient({}).send(new DescribeStacksCommand({ StackName: e.StackId }));
      const stack = out.Stacks[0].StackStatus;
      if (stack === 'ROLLBACK_IN_PROGRESS') {
        console.log(`${e.StackId} is ${stack}: emptying ${bucket}`);
        console.log(`deleted ${await empty(bucket)} object versions and delete markers of ${bucket}`);
      } else {
        console.log(`${e.StackId} is ${stack}: ${bucket} is kept as it is`);
      }
    }
  } catch (err) {
    status = 'FAILED';
    reason = String((err && err.message) || err).slice(0, 400);
    console.log(err);
  }
  await respond(e, status, reason, 'empty-on-rollback:' + bucket);
};

// empty deletes what the bucket holds, a page of at most 1,000 versions at
// a time, until a listing finds nothing.
async function empty(bucket) {
  const s3 = new S3Client({});
  let n = 0;
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    const objects = [...(page.Versions || []), ...(page.DeleteMarkers || [])].map((v) => ({ Key: v.Key, VersionId: v.VersionId }));
    if (objects.length === 0) return n;
    const out = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }));
    if (out.Errors && out.Errors.length) {
      throw new Error(`${out.Errors.length} of ${objects.length} deletions refused in ${bucket}, the first ${out.Errors[0].Key}: ${out.Errors[0].Code}`);
    }
    n += objects.length;
  }
}

// respond answers CloudFormation at the pre-signed S3 URL of the request.
function respond(e, status, reason, id) {
  const url = new URL(e.ResponseURL);
  if (url.protocol !== 'https:' || !/\.amazonaws\.com(\.cn)?$/.test(url.hostname)) {
    return Promise.reject(new Error('the response URL is not CloudFormation\'s'));
  }
  const body = JSON.stringify({
    Status: status, Reason: reason || 'see the log of the function', PhysicalResourceId: id,
    StackId: e.StackId, RequestId: e.RequestId, LogicalResourceId: e.LogicalResourceId,
  });
  return new Promise((resolve, reject) => {
    const req = https.request({ hostname: url.hostname, path: url.pathname + url.search, method: 'PUT',
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', reject);
    req.end(body);
  });
}
