// Package githubdeploy builds what lets a GitHub Actions workflow deploy
// this app with no long-lived keys: the account's IAM OIDC provider for
// GitHub (or the existing one), and a deploy role that only the workflow
// runs of one repository's one GitHub environment may assume, through
// sts:AssumeRoleWithWebIdentity, and that may do one thing: assume the CDK
// bootstrap roles (deploy, file and image publishing, lookup) of the
// accounts it deploys to. What a deployment may change is decided there, by
// the bootstrap's CloudFormation execution policies, not here.
//
// The repository and environment are pinned through the token's sub claim
// (repo:<owner>/<repo>:environment:<name>) and its audience through aud; a
// workflow of another repository, branch without the environment, or fork
// gets no credentials. Requiring reviewers on the GitHub environment makes
// every deployment of that profile wait for one.
//
// Controls implemented here (see docs/CONTROLS.md): GH-1, and ORG-1 for its
// role.
package githubdeploy
