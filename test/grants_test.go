package test

import (
	"slices"
	"strings"
	"testing"

	"github.com/secure-webapp/secure-webapp/constructs/apptier"
)

// TestGrantTable: the app tier's grant table is well formed, and a
// malformed row is refused with a message naming the row and the file to
// edit.
func TestGrantTable(t *testing.T) {
	t.Parallel()
	if err := apptier.CheckGrants(apptier.Grants()); err != nil {
		t.Fatal(err)
	}
	read := apptier.Grant{Sid: "ReadFlags", Service: "ssm", Actions: []string{"ssm:GetParameter"}, Resource: apptier.Parameter("/app/flags"), Why: "flags"}
	with := func(change func(*apptier.Grant)) []apptier.Grant {
		g := read
		g.Actions = slices.Clone(read.Actions)
		change(&g)
		return []apptier.Grant{g}
	}
	for name, tc := range map[string]struct {
		table []apptier.Grant
		want  []string
	}{
		"a wildcard action":          {with(func(g *apptier.Grant) { g.Actions = []string{"ssm:Get*"} }), []string{`action "ssm:Get*" is not one ssm action`}},
		"an action of another":       {with(func(g *apptier.Grant) { g.Actions = []string{"s3:GetObject"} }), []string{`action "s3:GetObject" is not one ssm action`}},
		"no why":                     {with(func(g *apptier.Grant) { g.Why = "" }), []string{"Why are all required"}},
		"no resource":                {with(func(g *apptier.Grant) { g.Resource = apptier.Resource{} }), []string{"Resource and Why are all required"}},
		"a relative parameter name":  {with(func(g *apptier.Grant) { g.Resource = apptier.Parameter("app/flags") }), []string{"a parameter name starts with /"}},
		"Via on a grant beyond KMS":  {with(func(g *apptier.Grant) { g.Via = "s3" }), []string{"Via (kms:ViaService) applies to KMS grants only"}},
		"a statement ID twice":       {append(with(func(*apptier.Grant) {}), read), []string{"row 2 (ReadFlags): every row needs a Sid of its own"}},
		"every problem in one error": {append(with(func(g *apptier.Grant) { g.Why = "" }), read), []string{"row 1 (ReadFlags): Service", "row 2 (ReadFlags): every row needs a Sid of its own"}},
	} {
		t.Run(name, func(t *testing.T) {
			err := apptier.CheckGrants(tc.table)
			if err == nil || !strings.Contains(err.Error(), "constructs/apptier/grants.go") {
				t.Fatalf("CheckGrants: %v; want an error naming grants.go", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("CheckGrants: %v; want it to say %q", err, w)
				}
			}
		})
	}
}

// TestEndpointServices: the interface endpoints derive from the grant
// table (any table: a fork's rows change none of these cases): a service the tier calls, once, but not S3 (its gateway endpoint),
// RDS authentication (the database itself) or a service that calls for the
// tier (Via).
func TestEndpointServices(t *testing.T) {
	t.Parallel()
	row := func(sid, svc, action, via string) apptier.Grant {
		return apptier.Grant{Sid: sid, Service: svc, Actions: []string{action}, Resource: apptier.Parameter("/x"), Via: via, Why: "test"}
	}
	for name, tc := range map[string]struct {
		table []apptier.Grant
		want  []string
	}{
		"a parameter read":          {[]apptier.Grant{row("A", "ssm", "ssm:GetParameter", "")}, []string{"ssm"}},
		"two reads of one":          {[]apptier.Grant{row("A", "ssm", "ssm:GetParameter", ""), row("B", "ssm", "ssm:GetParameters", "")}, []string{"ssm"}},
		"S3 and RDS":                {[]apptier.Grant{row("A", "s3", "s3:GetObject", ""), row("B", "rds-db", "rds-db:connect", "")}, nil},
		"KMS through S3":            {[]apptier.Grant{row("A", "kms", "kms:Decrypt", "s3")}, nil},
		"KMS called by the tier":    {[]apptier.Grant{row("A", "kms", "kms:Decrypt", "")}, []string{"kms"}},
		"in the order of the table": {[]apptier.Grant{row("A", "sqs", "sqs:SendMessage", ""), row("B", "ssm", "ssm:GetParameter", "")}, []string{"sqs", "ssm"}},
	} {
		t.Run(name, func(t *testing.T) {
			if got := apptier.EndpointServices(tc.table); !slices.Equal(got, tc.want) {
				t.Errorf("EndpointServices = %q, want %q", got, tc.want)
			}
		})
	}
}
