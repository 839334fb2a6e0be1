package apptier

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/constructs/database"
	"github.com/secure-webapp/secure-webapp/controls"
)

// Grants is the app tier's grant table: every permission its code has,
// each on one declared resource, with why. It is the one place to give the
// app a permission. From it:
//
//   - New builds the role's policy, one statement per row, and records the
//     rows on the role (controls.GrantsKey), where APP-3 checks that the
//     policy is exactly this table and that no row breaks the invariants
//     that hold for any table (no secret, no wildcard resource, kms:Decrypt
//     and s3 only on the app's own bucket and key, writes only under the
//     upload prefix);
//   - EndpointServices derives the interface endpoints the network creates
//     in the App subnets, where APP-7 checks that every service the role
//     may call is reachable;
//   - scripts/security-diff shows a reviewer each row added or removed.
func Grants() []Grant {
	return []Grant{
		{
			Sid: "ConnectAsTheAppUser", Service: "rds-db", Actions: []string{"rds-db:connect"}, Resource: AppDatabaseUser(),
			Why: "log in to the database as the application's own user with IAM authentication: no password, no secret (RDS user guide, \"Creating and using an IAM policy for IAM database access\")",
		},
		{
			Sid: "WriteUploads", Service: "s3", Actions: []string{"s3:PutObject"}, Resource: Uploads(),
			Why: "store what the application writes, under the one upload prefix of the application bucket",
		},
		{
			// GenerateDataKey for every upload, Decrypt as well for
			// multipart uploads, which S3 splits.
			Sid: "EncryptUploads", Service: "kms", Actions: []string{"kms:GenerateDataKey", "kms:Decrypt"}, Resource: BucketKey(), Via: "s3",
			Why: "S3 encrypts the uploads with the bucket's key on the tier's behalf, and reads it back for multipart uploads (S3 user guide, \"Multipart upload API and permissions\")",
		},
	}
}

// Grant is one row of the grant table.
type Grant struct {
	// Sid names the policy statement built from the row.
	Sid string
	// Service is the service prefix of the actions (the "ssm" of
	// ssm:GetParameter), by which the network finds the endpoint.
	Service string
	// Actions are the IAM actions, none a wildcard.
	Actions []string
	// Resource is the one resource they apply to.
	Resource Resource
	// Via, for a KMS grant, is the service that uses the key on the tier's
	// behalf (kms:ViaService): the tier then never calls KMS itself. ""
	// for a call the tier makes.
	Via string
	// Why says what the application needs it for, for the reviewer.
	Why string
}

// Resource is what a grant applies to: one of the resources below, which
// the app declares.
type Resource struct {
	kind resourceKind
	name string
}

type resourceKind int

const (
	databaseUser resourceKind = iota + 1
	uploads
	bucketKey
	parameter
)

// AppDatabaseUser is the application's database user (database.AppUsername)
// on the one database, as IAM database authentication names it.
func AppDatabaseUser() Resource { return Resource{kind: databaseUser} }

// Uploads are the objects under UploadPrefix of the application bucket.
func Uploads() Resource { return Resource{kind: uploads} }

// BucketKey is the application bucket's KMS key.
func BucketKey() Resource { return Resource{kind: bucketKey} }

// Parameter is the SSM parameter of that name ("/secure-webapp/feature-flags")
// in the stack's account and region.
func Parameter(name string) Resource { return Resource{kind: parameter, name: name} }

// reachedOtherwise are the services of grants that no interface endpoint
// serves, with how the tier reaches them.
var reachedOtherwise = map[string]string{
	"s3":     "the S3 gateway endpoint",
	"rds-db": "the database itself: the tier signs its authentication token locally and presents it to the database",
}

// EndpointServices are the services that the tier, with these grants (Grants),
// calls itself through an interface endpoint: all but S3 and RDS
// authentication (reachedOtherwise) and those called on its behalf (Via).
// The network creates one endpoint for each (network.Props.AppServices).
func EndpointServices(grants []Grant) []string {
	var out []string
	seen := map[string]bool{}
	for _, g := range grants {
		if _, other := reachedOtherwise[g.Service]; other || g.Via != "" || seen[g.Service] {
			continue
		}
		seen[g.Service] = true
		out = append(out, g.Service)
	}
	return out
}

// CheckGrants reports the rows of a grant table that are malformed, each
// naming the row, in one error that names this file; New refuses such a
// table.
func CheckGrants(grants []Grant) error {
	var problems []string
	sids := map[string]bool{}
	for i, g := range grants {
		row := fmt.Sprintf("row %d (%s)", i+1, g.Sid)
		switch {
		case g.Sid == "" || sids[g.Sid]:
			problems = append(problems, row+": every row needs a Sid of its own")
		case g.Service == "" || len(g.Actions) == 0 || g.Resource.kind == 0 || g.Why == "":
			problems = append(problems, row+": Service, Actions, Resource and Why are all required")
		case g.Resource.kind == parameter && !strings.HasPrefix(g.Resource.name, "/"):
			problems = append(problems, row+": Parameter("+g.Resource.name+"): a parameter name starts with /")
		case g.Via != "" && g.Service != "kms":
			problems = append(problems, row+": Via (kms:ViaService) applies to KMS grants only")
		}
		sids[g.Sid] = true
		for _, a := range g.Actions {
			if !strings.HasPrefix(a, g.Service+":") || strings.Contains(a, "*") {
				problems = append(problems, fmt.Sprintf("%s: action %q is not one %s action (no wildcard)", row, a, g.Service))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("the app tier's grant table (Grants, constructs/apptier/grants.go): %s", strings.Join(problems, "; "))
	}
	return nil
}

// grantTargets are the resources a grant table's rows are rendered against.
type grantTargets struct {
	stack    awscdk.Stack
	database *database.Database
	bucket   *Bucket
}

// arn renders the resource as its ARN in the template.
func (r Resource) arn(in grantTargets) *string {
	partition, region, account := *in.stack.Partition(), *in.stack.Region(), *in.stack.Account()
	switch r.kind {
	case databaseUser:
		return jsii.String(fmt.Sprintf("arn:%s:rds-db:%s:%s:dbuser:%s/%s", partition, region, account,
			*in.database.Instance.InstanceResourceId(), in.database.AppUser))
	case uploads:
		return in.bucket.Bucket.ArnForObjects(jsii.String(UploadPrefix + "/*"))
	case bucketKey:
		return in.bucket.Key.KeyArn()
	case parameter:
		return jsii.String(fmt.Sprintf("arn:%s:ssm:%s:%s:parameter/%s", partition, region, account, strings.TrimPrefix(r.name, "/")))
	}
	panic(fmt.Sprintf("apptier: resource kind %d has no ARN", r.kind)) // a Resource is made by the functions above only
}

// statements renders the grant table as policy statements, and as the rows
// recorded on the role (controls.TierGrant).
func statements(grants []Grant, in grantTargets) ([]awsiam.PolicyStatement, []any) {
	var sts []awsiam.PolicyStatement
	var rows []any
	for _, g := range grants {
		resource := g.Resource.arn(in)
		props := &awsiam.PolicyStatementProps{Sid: jsii.String(g.Sid), Actions: jsii.Strings(g.Actions...), Resources: &[]*string{resource}}
		if g.Via != "" {
			props.Conditions = &map[string]any{"StringEquals": map[string]any{"kms:ViaService": g.Via + "." + *in.stack.Region() + ".amazonaws.com"}}
		}
		sts = append(sts, awsiam.NewPolicyStatement(props))
		rows = append(rows, controls.TierGrant{Sid: g.Sid, Service: g.Service, Actions: g.Actions, Resource: resource, Via: g.Via, Why: g.Why}.Map())
	}
	return sts, rows
}
