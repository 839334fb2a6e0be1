package controls

import (
	"fmt"
	"sort"
	"strings"

	"github.com/secure-webapp/secure-webapp/config"
)

// GitHub Actions' OIDC token issuer (without https://) and the audience
// AWS's credentials action asks for.
const (
	GitHubTokenIssuer = "token.actions.githubusercontent.com"
	GitHubAudience    = "sts.amazonaws.com"
)

// GitHubSubject is the sub claim of a workflow run in a GitHub environment.
func GitHubSubject(repository, environment string) string {
	return "repo:" + repository + ":environment:" + environment
}

func githubControls() []Control {
	return []Control{{
		ID: "GH-1", Title: "With githubRepository set, the GitHub deploy role may be assumed only through GitHub's OIDC provider, by workflow runs of that repository's GitHub environment named after the profile (aud and sub pinned), for at most three hours, and may only assume the CDK bootstrap roles of the two accounts; no IAM user or access key exists for deployments",
		Layer: LayerApp, Responsibility: Customer, Construct: "constructs/githubdeploy", Role: RoleWorkload,
		Frameworks: []string{"FSBP IAM.1"},
		NotApplicable: func(f StackFacts) string {
			if f.GitHubRepository == "" {
				return "githubRepository is not set: no GitHub deploy stack"
			}
			return ""
		},
		Check: githubRoleScoped,
	}}
}

// githubRoleScoped checks that the GitHub deploy role is assumable only by the repository's environment through OIDC.
func githubRoleScoped(t *Template, f StackFacts) []Failure {
	roles := oidcRoles(t)
	if len(roles) == 0 {
		return []Failure{{"", "no role that GitHub Actions may assume through OIDC"}}
	}
	var fails []Failure
	for _, r := range roles {
		fails = append(fails, githubTrust(t, f, r)...)
		fails = append(fails, deployRoleShape(r)...)
		fails = append(fails, deployRolePermissions(t, f, r)...)
	}
	for _, typ := range []string{"AWS::IAM::User", "AWS::IAM::AccessKey"} {
		for _, r := range t.Resources(typ) {
			fails = append(fails, Failure{r.Path(), typ + ": deployments use the OIDC role, never stored keys"})
		}
	}
	return fails
}

// oidcRoles returns the roles whose trust allows sts:AssumeRoleWithWebIdentity.
func oidcRoles(t *Template) []Resource {
	var roles []Resource
	for _, r := range t.Resources("AWS::IAM::Role") {
		for _, s := range Statements(r.Properties()["AssumeRolePolicyDocument"]) {
			if s.GrantsAction("sts:AssumeRoleWithWebIdentity") {
				roles = append(roles, r)
				break
			}
		}
	}
	return roles
}

// githubTrust checks that the role trusts only GitHub's OIDC provider, for
// the token audience and the subject of the profile's environment.
func githubTrust(t *Template, f StackFacts, r Resource) []Failure {
	var fails []Failure
	sub := GitHubSubject(f.GitHubRepository, f.Profile)
	for _, s := range Statements(r.Properties()["AssumeRolePolicyDocument"]) {
		if !s.Allows() {
			continue
		}
		fed := flattenList(s.Principals["Federated"])
		if len(s.Principals) != 1 || len(fed) != 1 || !strings.HasSuffix(fed[0], ":oidc-provider/"+GitHubTokenIssuer) && !oidcProviderOf(t, s.Principals["Federated"]) {
			fails = append(fails, Failure{r.Path(), fmt.Sprintf("is trusted by %v, not GitHub's OIDC provider alone", s.Principals)})
		}
		if len(s.Actions) != 1 || s.Actions[0] != "sts:AssumeRoleWithWebIdentity" {
			fails = append(fails, Failure{r.Path(), fmt.Sprintf("its trust allows %v; only sts:AssumeRoleWithWebIdentity", s.Actions)})
		}
		if !s.ConditionEquals("StringEquals", GitHubTokenIssuer+":aud", GitHubAudience) {
			fails = append(fails, Failure{r.Path(), "its trust does not pin the token's audience to " + GitHubAudience})
		}
		if !s.ConditionEquals("StringEquals", GitHubTokenIssuer+":sub", sub) {
			fails = append(fails, Failure{r.Path(), fmt.Sprintf("its trust does not pin the token's subject to %q (StringEquals, one value)", sub)})
		}
	}
	return fails
}

// deployRoleShape checks that the role's sessions last at most three hours
// and that it has no inline or AWS managed policies.
func deployRoleShape(r Resource) []Failure {
	var fails []Failure
	if d, ok := r.Get("MaxSessionDuration"); ok && !numberAtMost(d, 3*3600) {
		fails = append(fails, Failure{r.Path(), fmt.Sprintf("MaxSessionDuration is %v; at most %d", d, 3*3600)})
	}
	if _, ok := r.Get("Policies"); ok {
		fails = append(fails, Failure{r.Path(), "has inline policies"})
	}
	if len(list(r.Properties()["ManagedPolicyArns"])) > 0 {
		fails = append(fails, Failure{r.Path(), "has AWS managed policies"})
	}
	return fails
}

// deployRolePermissions checks that the role may do only sts:AssumeRole on
// the CDK bootstrap roles, and on every one of them.
func deployRolePermissions(t *Template, f StackFacts, r Resource) []Failure {
	var fails []Failure
	want := map[string]bool{}
	for _, account := range []string{f.WorkloadAccount, f.LoggingAccount} {
		for _, region := range f.GovernedRegions {
			for _, b := range config.BootstrapRoles {
				want[fmt.Sprintf("role/cdk-%s-%s-%s-%s", config.BootstrapQualifier, b, account, region)] = false
			}
		}
	}
	for _, s := range rolePolicyStatements(t, r) {
		if !s.Allows() {
			continue
		}
		for _, a := range s.Actions {
			for _, res := range s.Resources {
				arn := flatten(res)
				k := arn[strings.LastIndex(arn, ":")+1:]
				if _, ok := want[k]; a != "sts:AssumeRole" || !ok || !strings.Contains(arn, ":iam::") {
					fails = append(fails, Failure{r.Path(), fmt.Sprintf("is allowed %s on %s; only sts:AssumeRole on the CDK bootstrap roles", a, arn)})
					continue
				}
				want[k] = true
			}
		}
	}
	var missing []string
	for k, seen := range want {
		if !seen {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	for _, k := range missing {
		fails = append(fails, Failure{r.Path(), "may not assume " + k + ", which a deployment needs"})
	}
	return fails
}

// oidcProviderOf reports whether v refers to an OIDC provider of the
// template for GitHub's issuer.
func oidcProviderOf(t *Template, v any) bool {
	for _, x := range list(v) {
		p, found := t.Resource(RefTargetOr(x))
		if found && p.Type == "AWS::IAM::OIDCProvider" && p.String("Url") == "https://"+GitHubTokenIssuer {
			return true
		}
	}
	return false
}

func flattenList(v []any) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = flatten(x)
	}
	return out
}

func numberAtMost(v any, n int) bool {
	f, ok := number(v)
	return ok && f <= float64(n)
}
