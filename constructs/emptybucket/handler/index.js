// The function of the custom resource Custom::EmptyOnRollback (constructs/emptybucket).
// On Delete, it empties the bucket BucketName (every version and delete
// marker) only while its stack is in ROLLBACK_IN_PROGRESS: the rollback of
// the failed create that made the bucket, in which CloudFormation deletes a
// retained (RetainExceptOnCreate) bucket, and a status no later operation
// of a created stack can reach. Otherwise it does nothing.
const { S3Client, ListObjectVersionsCommand, DeleteObjectsCommand } = require('@aws-sdk/client-s3');
const { CloudFormationClient, DescribeStacksCommand } = require('@aws-sdk/client-cloudformation');
const https = require('https');

exports.handler = async (e, context) => {
  const bucket = e.ResourceProperties.BucketName;
  // Answer before Lambda's timeout, however long the emptying takes.
  const deadline = Date.now() + (context ? context.getRemainingTimeInMillis() : 900000) - 30000;
  let status = 'SUCCESS', reason = '';
  try {
    if (e.RequestType === 'Delete') {
      const out = await new CloudFormationClient({}).send(new DescribeStacksCommand({ StackName: e.StackId }));
      const stack = out.Stacks[0].StackStatus;
      if (stack === 'ROLLBACK_IN_PROGRESS') {
        console.log(`${e.StackId} is ${stack}: emptying ${bucket}`);
        console.log(`deleted ${await empty(bucket, deadline)} object versions and delete markers of ${bucket}`);
      } else {
        console.log(`${e.StackId} is ${stack}: ${bucket} is kept as it is`);
      }
    }
  } catch (err) {
    status = 'FAILED';
    reason = String((err && err.message) || err).slice(0, 400);
    console.log(err);
  }
  await respond(e, status, reason, e.PhysicalResourceId || 'empty-on-rollback:' + bucket);
};

// empty deletes what the bucket holds, a page of at most 1,000 versions at
// a time, until two listings SETTLE_MS apart find nothing: the bucket's
// policy, which admitted the deliveries, is gone, but S3 applies a bucket's
// configuration eventually, and a delivery accepted meanwhile would stop
// the bucket's deletion.
async function empty(bucket, deadline) {
  const s3 = new S3Client({});
  const settle = Number(process.env.SETTLE_MS || 30000);
  let n = 0, emptyListings = 0;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`${bucket} is not empty yet after ${n} deletions, and the function's time is up`);
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    const objects = [...(page.Versions || []), ...(page.DeleteMarkers || [])].map((v) => ({ Key: v.Key, VersionId: v.VersionId }));
    if (objects.length === 0) {
      if (++emptyListings === 2) return n;
      await new Promise((r) => setTimeout(r, settle));
      continue;
    }
    emptyListings = 0;
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
  if (url.protocol !== 'https:' || !/^cloudformation-custom-resource-response-[a-z0-9]+\.s3[.a-z0-9-]*\.amazonaws\.com(\.cn)?$/.test(url.hostname)) {
    return Promise.reject(new Error('the response URL is not CloudFormation\'s'));
  }
  const body = JSON.stringify({
    Status: status, Reason: reason || 'see the log of the function', PhysicalResourceId: id,
    StackId: e.StackId, RequestId: e.RequestId, LogicalResourceId: e.LogicalResourceId,
  });
  return new Promise((resolve, reject) => {
    const req = https.request({ hostname: url.hostname, path: url.pathname + url.search, method: 'PUT',
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) }, timeout: 20000 }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`CloudFormation's response URL answered ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('no answer from the response URL')));
    req.on('error', reject);
    req.end(body);
  });
}
