package handler

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// stub stands in for the AWS SDK's S3 and CloudFormation clients and for
// the https module the handler answers CloudFormation with: it answers
// from STUB_STATE and records every call into STUB_OUT.
const stub = `
const Module = require('module');
const state = JSON.parse(process.env.STUB_STATE);
const calls = [];
const command = (name) => class { constructor(input) { this.name = name; this.input = input; } };
const s3 = { ListObjectVersionsCommand: command('ListObjectVersions'), DeleteObjectsCommand: command('DeleteObjects') };
s3.S3Client = class { async send(c) {
  calls.push({ op: c.name, input: c.input });
  if (c.name === 'ListObjectVersions') return state.pages.shift() || {};
  return { Errors: state.deleteErrors || [] };
} };
const cfn = { DescribeStacksCommand: command('DescribeStacks') };
cfn.CloudFormationClient = class { async send(c) {
  calls.push({ op: c.name, input: c.input });
  return { Stacks: [{ StackStatus: state.stackStatus }] };
} };
const https = { request(opts, done) {
  return { on() {}, end(body) {
    calls.push({ op: 'Respond', host: opts.hostname, method: opts.method, body: JSON.parse(body) });
    done({ statusCode: 200, resume() {}, on(event, f) { if (event === 'end') f(); } });
  } };
} };
const load = Module._load;
Module._load = function (request) {
  if (request === '@aws-sdk/client-s3') return s3;
  if (request === '@aws-sdk/client-cloudformation') return cfn;
  if (request === 'https') return https;
  return load.apply(this, arguments);
};
process.on('exit', () => require('fs').writeFileSync(process.env.STUB_OUT, JSON.stringify(calls)));
`

type call struct {
	Op    string         `json:"op"`
	Input map[string]any `json:"input"`
	Host  string         `json:"host"`
	Body  map[string]any `json:"body"`
}

// run invokes the handler on event with the stubbed services in state, and
// returns the calls it made.
func run(t *testing.T, event, state map[string]any) []call {
	t.Helper()
	node := "node"
	if root, err := filepath.Abs("../../.."); err == nil {
		if p := filepath.Join(root, "node_modules", "node", "bin", "node"); fileExists(p) {
			node = p
		}
	}
	dir := t.TempDir()
	for name, content := range map[string]string{"index.js": Inline(), "stub.js": stub} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ev, _ := json.Marshal(event)
	st, _ := json.Marshal(state)
	out := filepath.Join(dir, "calls.json")
	cmd := exec.Command(node, "-r", filepath.Join(dir, "stub.js"), "-e",
		`require(process.argv[1]).handler(JSON.parse(process.argv[2])).catch((e) => { console.error(e); process.exit(3); })`,
		filepath.Join(dir, "index.js"), string(ev))
	cmd.Env = append(os.Environ(), "STUB_STATE="+string(st), "STUB_OUT="+out, "SETTLE_MS=1")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("node: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var calls []call
	if err := json.Unmarshal(b, &calls); err != nil {
		t.Fatal(err)
	}
	return calls
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// TestEmptyOnRollback runs the handler that constructs/emptybucket puts in
// every stack with a delivery bucket (LIFE-8): it empties the bucket only
// while the stack rolls back its failed first create, and answers
// CloudFormation in every case.
func TestEmptyOnRollback(t *testing.T) {
	t.Parallel()
	event := func(kind string) map[string]any {
		return map[string]any{
			"RequestType": kind, "StackId": "arn:aws:cloudformation:us-east-1:111111111111:stack/b/1", "RequestId": "r", "LogicalResourceId": "E",
			"ResponseURL":        "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x?sig=1",
			"ResourceProperties": map[string]any{"BucketName": "config-bucket"},
		}
	}
	version := func(key, id string) map[string]any { return map[string]any{"Key": key, "VersionId": id} }
	pages := []any{
		map[string]any{"Versions": []any{version("a", "1"), version("a", "2")}, "DeleteMarkers": []any{version("b", "3")}},
		map[string]any{"Versions": []any{version("c", "4")}},
	}
	cases := []struct {
		name, request, stackStatus string
		deleteErrors               []any
		deleted                    int
		status                     string
	}{
		{"LIFE-8/rollback of the failed create empties the bucket", "Delete", "ROLLBACK_IN_PROGRESS", nil, 4, "SUCCESS"},
		{"LIFE-8/cdk destroy keeps it", "Delete", "DELETE_IN_PROGRESS", nil, 0, "SUCCESS"},
		{"LIFE-8/rollback of an update keeps it", "Delete", "UPDATE_ROLLBACK_IN_PROGRESS", nil, 0, "SUCCESS"},
		{"LIFE-8/cleanup after an update keeps it", "Delete", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", nil, 0, "SUCCESS"},
		{"LIFE-8/create does nothing", "Create", "CREATE_IN_PROGRESS", nil, 0, "SUCCESS"},
		{"LIFE-8/a refused deletion fails the resource", "Delete", "ROLLBACK_IN_PROGRESS", []any{map[string]any{"Key": "a", "Code": "AccessDenied"}}, 0, "FAILED"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			calls := run(t, event(tc.request), map[string]any{"stackStatus": tc.stackStatus, "pages": pages, "deleteErrors": tc.deleteErrors})
			deleted := 0
			var respond *call
			for i, c := range calls {
				switch c.Op {
				case "DeleteObjects":
					if c.Input["Bucket"] != "config-bucket" {
						t.Errorf("deleted from %v", c.Input["Bucket"])
					}
					if tc.deleteErrors == nil {
						deleted += len(c.Input["Delete"].(map[string]any)["Objects"].([]any))
					}
				case "DescribeStacks":
					if c.Input["StackName"] != event("Delete")["StackId"] {
						t.Errorf("read the status of %v, not its own stack", c.Input["StackName"])
					}
				case "Respond":
					respond = &calls[i]
				}
			}
			if deleted != tc.deleted {
				t.Errorf("deleted %d versions, want %d (calls %v)", deleted, tc.deleted, calls)
			}
			if respond == nil {
				t.Fatalf("never answered CloudFormation (calls %v)", calls)
			}
			if respond.Body["Status"] != tc.status || respond.Body["PhysicalResourceId"] != "empty-on-rollback:config-bucket" {
				t.Errorf("answered %v, want status %s", respond.Body, tc.status)
			}
			if tc.status == "FAILED" && !strings.Contains(respond.Body["Reason"].(string), "AccessDenied") {
				t.Errorf("the reason %q does not say why", respond.Body["Reason"])
			}
		})
	}
}

// TestInlineFits: CloudFormation takes inline code (ZipFile) of at most
// 4,096 characters.
func TestInlineFits(t *testing.T) {
	if n := len(Inline()); n > 4096 {
		t.Errorf("the inline code has %d characters; CloudFormation takes at most 4,096", n)
	}
}
