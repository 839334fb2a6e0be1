package controls

import (
	"fmt"
	"strings"
)

// grantInvariants checks what no grant table may change, whatever its rows
// say: the app tier's role reads no secret, has no wildcard resource, may
// use S3 and kms:Decrypt only on the application bucket and its key (the
// resources the app declares), and writes to S3 only under the upload
// prefix. A wrong row of the table fails here even though the policy
// matches the table.
func grantInvariants(t *Template, f StackFacts, role Resource, statements []Statement) []Failure {
	d := declaredForGrants(t)
	var fails []Failure
	fail := func(a, r, why string) {
		fails = append(fails, Failure{role.Path(), fmt.Sprintf("is allowed %s on %s: %s; fix its row in %s", a, r, why, grantTable)})
	}
	for _, s := range statements {
		if !s.Allows() {
			continue
		}
		for _, a := range s.Actions {
			for _, raw := range s.Resources {
				r := flatten(raw)
				if why := d.secret(a, raw); why != "" {
					fail(a, r, why)
				}
				if d.wildcard(f, r) {
					fail(a, r, "a wildcard resource: every grant names one resource (the object keys under the upload prefix excepted)")
				}
				if ActionMatches(a, "kms:Decrypt") && !d.keys[RefTargetOr(raw)] {
					fail(a, r, "kms:Decrypt on a key that is not the application bucket's")
				}
				if !s3Action(a) {
					continue
				}
				if d.bucketOf(r) == "" {
					fail(a, r, "an S3 action on a resource that is not the application bucket ("+IdentityApplicationBucket+")")
				} else if !s3Read(a) && !strings.HasPrefix(r, "{"+d.bucketOf(r)+".Arn}/"+f.UploadPrefix+"/") {
					fail(a, r, "a write outside the upload prefix "+f.UploadPrefix+"/ of the application bucket")
				}
			}
		}
	}
	return fails
}

// grantDeclared are the resources the invariants of the app tier's grants
// read: the application buckets and their keys, which the app declares,
// and every secret and the keys that encrypt one.
type grantDeclared struct {
	buckets, keys, secrets map[string]bool
}

func declaredForGrants(t *Template) grantDeclared {
	d := grantDeclared{buckets: map[string]bool{}, keys: map[string]bool{}, secrets: map[string]bool{}}
	for _, b := range t.Declared(IdentityApplicationBucket) {
		d.buckets[b.LogicalID] = true
		v, _ := b.Get("BucketEncryption", "ServerSideEncryptionConfiguration")
		for _, id := range refsIn(v) {
			d.keys[id] = true
		}
	}
	for _, s := range t.Resources("AWS::SecretsManager::Secret") {
		d.secrets[s.LogicalID] = true
		for _, id := range refsIn(s.Properties()["KmsKeyId"]) {
			d.secrets[id] = true
		}
	}
	return d
}

// secret returns why action a on resource raw reads a secret, or "".
func (d grantDeclared) secret(a string, raw any) string {
	if strings.HasPrefix(strings.ToLower(a), "secretsmanager:") || ActionMatches(a, "secretsmanager:GetSecretValue") {
		return "the app tier reads no secret: it logs in to the database with IAM authentication"
	}
	for _, id := range refsIn(raw) {
		if d.secrets[id] {
			return "names " + id + ", a secret or the key of one"
		}
	}
	return ""
}

// wildcard reports whether r is a wildcard resource other than the object
// keys under a prefix of the application bucket.
func (d grantDeclared) wildcard(f StackFacts, r string) bool {
	if !strings.Contains(r, "*") {
		return false
	}
	prefix, ok := strings.CutSuffix(r, "/*")
	if !ok || strings.Contains(prefix, "*") {
		return true
	}
	b := d.bucketOf(r)
	return b == "" || prefix == "{"+b+".Arn}"
}

// bucketOf returns the application bucket that r is or holds an object of,
// or "".
func (d grantDeclared) bucketOf(r string) string {
	for b := range d.buckets {
		if arn := "{" + b + ".Arn}"; r == arn || strings.HasPrefix(r, arn+"/") {
			return b
		}
	}
	return ""
}

func s3Action(a string) bool { return a == "*" || strings.HasPrefix(strings.ToLower(a), "s3:") }

// s3Read reports whether an S3 action (no wildcard) only reads.
func s3Read(a string) bool {
	l := strings.ToLower(a)
	return !strings.Contains(l, "*") && (strings.HasPrefix(l, "s3:get") || strings.HasPrefix(l, "s3:list"))
}
