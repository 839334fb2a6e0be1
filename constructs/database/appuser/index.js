// The database-user function of secure-webapp (constructs/database): the
// handler of a CloudFormation custom resource that runs, as the database's
// master user, the SQL statements the template gives it, in one transaction,
// when the resource is created or updated. The statements are idempotent:
// they create the application's own user and grant it exactly what it needs.
// On delete it does nothing: the user lives and dies with the database, which
// is retained (or snapshotted) on its own terms.
//
// It runs in the VPC, reads the master secret through the Secrets Manager
// endpoint, verifies the server against the RDS root CAs of its region
// (rds-ca.pem, next to this file), and answers CloudFormation through the S3
// gateway endpoint. It answers before its own timeout, whatever happens, so a
// failure never leaves the stack waiting for an hour.
'use strict';

const fs = require('node:fs');
const https = require('node:https');
const path = require('node:path');
const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
const { Client } = require('pg');

const CA = fs.readFileSync(path.join(__dirname, 'rds-ca.pem'), 'utf8');
const INVALID_PASSWORD = '28P01';
const ATTEMPTS = 6;

exports.handler = async (event, context) => {
  const props = event.ResourceProperties || {};
  const physicalId = event.PhysicalResourceId || `${props.Username}@${props.Database}`;
  let status = 'SUCCESS';
  let reason = '';
  try {
    if (event.RequestType === 'Create' || event.RequestType === 'Update') {
      const budget = context.getRemainingTimeInMillis() - 15000;
      await Promise.race([
        apply(props),
        new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer from the database within ${Math.round(budget / 1000)} s`)), budget).unref()),
      ]);
    }
  } catch (err) {
    console.error(err);
    status = 'FAILED';
    reason = `${err.code ? err.code + ': ' : ''}${err.message}`.slice(0, 400);
  }
  await respond(event, context, status, reason, physicalId);
};

// apply runs the statements as the master user. The password may be rotated
// while it runs (Secrets Manager rotates as soon as rotation is set up): a
// login refused for the password reads the secret again and retries.
async function apply(props) {
  if (!Array.isArray(props.Statements) || props.Statements.length === 0) {
    throw new Error('no Statements to run');
  }
  const secrets = new SecretsManagerClient({});
  for (let attempt = 1; ; attempt++) {
    const out = await secrets.send(new GetSecretValueCommand({ SecretId: props.MasterSecretArn }));
    const secret = JSON.parse(out.SecretString);
    const client = new Client({
      host: secret.host,
      port: Number(secret.port),
      database: props.Database,
      user: secret.username,
      password: secret.password,
      ssl: { ca: CA, rejectUnauthorized: true },
      connectionTimeoutMillis: 15000,
    });
    try {
      await client.connect();
    } catch (err) {
      if (err.code === INVALID_PASSWORD && attempt < ATTEMPTS) {
        console.log(`login refused (attempt ${attempt}); the password may be rotating, reading the secret again`);
        await new Promise((r) => setTimeout(r, 10000));
        continue;
      }
      throw err;
    }
    try {
      await client.query('BEGIN');
      for (const sql of props.Statements) {
        await client.query(sql);
      }
      await client.query('COMMIT');
      console.log(`ran ${props.Statements.length} statements on database ${props.Database}`);
      return;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      await client.end().catch(() => {});
    }
  }
}

// respond answers CloudFormation at the pre-signed ResponseURL.
function respond(event, context, status, reason, physicalId) {
  const body = JSON.stringify({
    Status: status,
    Reason: reason || `see log stream ${context.logStreamName}`,
    PhysicalResourceId: physicalId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: false,
    Data: {},
  });
  return new Promise((resolve, reject) => {
    const req = https.request(event.ResponseURL, {
      method: 'PUT',
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
      timeout: 10000,
    }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`CloudFormation's response URL answered ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('no answer from the response URL within 10 s')));
    req.on('error', reject);
    req.end(body);
  });
}
