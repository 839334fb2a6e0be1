package test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/secure-webapp/secure-webapp/controls"
)

// The helpers below find and edit resources of a cloned template for the
// mutation tests. They find resources by type and property, never by the
// hashed logical IDs.

// one is the template's only resource of type typ; with several, which one
// a test meant is not for the order of their logical IDs to say: find it by
// what its construct declares (Declared, atPath, bucketNamed).
func one(t *testing.T, tpl *controls.Template, typ string) controls.Resource {
	t.Helper()
	rs := tpl.Resources(typ)
	if len(rs) != 1 {
		t.Fatalf("%s: %d resources of type %s, want exactly one", tpl.Name, len(rs), typ)
	}
	return rs[0]
}

func trailBucket(t *testing.T, tpl *controls.Template) controls.Resource {
	t.Helper()
	return bucketNamed(t, tpl, "-cloudtrail-")
}

// accessLogBucket is the bucket the CloudTrail bucket's server access logs
// go to, as its LoggingConfiguration names it.
func accessLogBucket(t *testing.T, tpl *controls.Template) controls.Resource {
	t.Helper()
	dest, _ := trailBucket(t, tpl).Get("LoggingConfiguration", "DestinationBucketName")
	id, ok := controls.RefTarget(dest)
	b, found := tpl.Resource(id)
	if !ok || !found || b.Type != "AWS::S3::Bucket" {
		t.Fatalf("%s: the CloudTrail bucket logs to no bucket of the template", tpl.Name)
	}
	return b
}

// bucketNamed finds the bucket whose deterministic name contains part.
func bucketNamed(t *testing.T, tpl *controls.Template, part string) controls.Resource {
	t.Helper()
	for _, b := range tpl.Resources("AWS::S3::Bucket") {
		if strings.Contains(b.String("BucketName"), part) {
			return b
		}
	}
	t.Fatalf("%s: no bucket named *%s*", tpl.Name, part)
	return controls.Resource{}
}

// props returns the map at path inside a resource's Properties.
func props(t *testing.T, r controls.Resource, path ...string) map[string]any {
	t.Helper()
	v, ok := r.Get(path...)
	m, isMap := v.(map[string]any)
	if !ok || !isMap {
		t.Fatalf("%s: no map at %v", r.Path(), path)
	}
	return m
}

// statements returns the statements of every policy document at field of
// every resource of typ, as editable maps.
func statements(t *testing.T, tpl *controls.Template, typ, field string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, r := range tpl.Resources(typ) {
		doc, _ := r.Properties()[field].(map[string]any)
		list, _ := doc["Statement"].([]any)
		for _, s := range list {
			out = append(out, s.(map[string]any))
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s: no statements in %s.%s", tpl.Name, typ, field)
	}
	return out
}

func addStatement(t *testing.T, tpl *controls.Template, typ, field string, s map[string]any) {
	t.Helper()
	for _, r := range tpl.Resources(typ) {
		doc := r.Properties()[field].(map[string]any)
		doc["Statement"] = append(doc["Statement"].([]any), s)
	}
}

func removeStatements(t *testing.T, tpl *controls.Template, typ string, drop func(map[string]any) bool) {
	t.Helper()
	removed := 0
	field := "PolicyDocument"
	if typ == "AWS::KMS::Key" {
		field = "KeyPolicy"
	}
	for _, r := range tpl.Resources(typ) {
		doc := r.Properties()[field].(map[string]any)
		var keep []any
		for _, s := range doc["Statement"].([]any) {
			if drop(s.(map[string]any)) {
				removed++
				continue
			}
			keep = append(keep, s)
		}
		doc["Statement"] = keep
	}
	if removed == 0 {
		t.Fatalf("%s: no statement matched", tpl.Name)
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// atPath finds the resource of typ whose construct path ends with suffix
// (construct paths are stable; logical IDs carry hashes).
func atPath(t *testing.T, tpl *controls.Template, typ, suffix string) controls.Resource {
	t.Helper()
	for _, r := range tpl.Resources(typ) {
		if strings.HasSuffix(r.Path(), suffix) {
			return r
		}
	}
	t.Fatalf("%s: no %s at */%s", tpl.Name, typ, suffix)
	return controls.Resource{}
}

// addResource adds a resource under a logical ID of its own.
func addResource(tpl *controls.Template, id string, r map[string]any) {
	tpl.Body["Resources"].(map[string]any)[id] = r
}

// deleteResource removes a resource from the template.
func deleteResource(tpl *controls.Template, r controls.Resource) {
	delete(tpl.Body["Resources"].(map[string]any), r.LogicalID)
}

// ref and getAtt build intrinsic functions pointing at a resource.
func ref(r controls.Resource) map[string]any { return map[string]any{"Ref": r.LogicalID} }
func getAtt(r controls.Resource, attr string) map[string]any {
	return map[string]any{"Fn::GetAtt": []any{r.LogicalID, attr}}
}

// routeTableOf returns the route table associated with a subnet.
func routeTableOf(t *testing.T, tpl *controls.Template, subnet controls.Resource) any {
	t.Helper()
	for _, a := range tpl.Resources("AWS::EC2::SubnetRouteTableAssociation") {
		if s, _ := a.Get("SubnetId"); jsonOf(s) == jsonOf(ref(subnet)) {
			v, _ := a.Get("RouteTableId")
			return v
		}
	}
	t.Fatalf("%s: subnet %s has no route table", tpl.Name, subnet.Path())
	return nil
}

// appendList appends v to the list at key of m.
func appendList(m map[string]any, key string, v any) {
	l, _ := m[key].([]any)
	m[key] = append(l, v)
}

// appBucket is the application bucket, as its construct declares it.
func appBucket(t *testing.T, tpl *controls.Template) controls.Resource {
	t.Helper()
	for _, b := range tpl.Declared(controls.IdentityApplicationBucket) {
		return b
	}
	t.Fatalf("%s: no bucket declared %s", tpl.Name, controls.IdentityApplicationBucket)
	return controls.Resource{}
}

// certificate is the load balancer's ACM certificate, when the stack issues one.
func certificate(t *testing.T, tpl *controls.Template) controls.Resource {
	t.Helper()
	return one(t, tpl, "AWS::CertificateManager::Certificate")
}

// setLBAttribute sets one attribute of the load balancer.
func setLBAttribute(t *testing.T, tpl *controls.Template, key, value string) {
	t.Helper()
	for _, a := range one(t, tpl, "AWS::ElasticLoadBalancingV2::LoadBalancer").Properties()["LoadBalancerAttributes"].([]any) {
		if a.(map[string]any)["Key"] == key {
			a.(map[string]any)["Value"] = value
			return
		}
	}
	t.Fatalf("%s: the load balancer has no attribute %s", tpl.Name, key)
}
