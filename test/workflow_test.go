package test

import (
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// workflow is the part of a GitHub Actions workflow the tests read.
type workflow struct {
	On          map[string]any    `yaml:"on"`
	Permissions map[string]string `yaml:"permissions"`
	Jobs        map[string]struct {
		Environment string `yaml:"environment"`
		Steps       []struct {
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			With map[string]string `yaml:"with"`
			Env  map[string]string `yaml:"env"`
		} `yaml:"steps"`
		Env map[string]string `yaml:"env"`
	} `yaml:"jobs"`
	Env map[string]string `yaml:"env"`
}

func readWorkflow(t *testing.T, name string) (workflow, string) {
	t.Helper()
	data, err := os.ReadFile("../.github/workflows/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var wf workflow
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatalf("%s is not valid YAML: %v", name, err)
	}
	return wf, string(data)
}

// TestWorkflowRunsWhatCIRuns: the GitHub workflow for forks cannot run here,
// so its test job must run exactly the commands of .ci/run (which every CI
// run of this repository proves), in the same order.
func TestWorkflowRunsWhatCIRuns(t *testing.T) {
	wf, _ := readWorkflow(t, "ci.yml")
	ci, err := os.ReadFile("../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, l := range strings.Split(string(ci), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "set ") && !strings.HasPrefix(l, "cd ") {
			want = append(want, l)
		}
	}
	var got []string
	for _, s := range wf.Jobs["test"].Steps {
		if s.Run != "" {
			got = append(got, strings.TrimSpace(s.Run))
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the test job runs\n  %s\nbut .ci/run runs\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// TestDeployWorkflowUsesOIDC: the deploy workflow gets its AWS credentials
// only by exchanging GitHub's OIDC token for the deploy role, in the GitHub
// environment named after the profile; no access key is stored or passed.
func TestDeployWorkflowUsesOIDC(t *testing.T) {
	wf, text := readWorkflow(t, "deploy.yml")
	if _, ok := wf.On["workflow_dispatch"]; !ok || len(wf.On) != 1 {
		t.Errorf("deploy runs on %v; only on manual dispatch", wf.On)
	}
	if wf.Permissions["id-token"] != "write" {
		t.Error("permissions lack id-token: write, without which there is no OIDC token")
	}
	for p, v := range wf.Permissions {
		if v == "write" && p != "id-token" {
			t.Errorf("permission %s: write is more than a deployment needs", p)
		}
	}
	for _, bad := range []string{"aws-access-key-id", "aws-secret-access-key", "aws-session-token", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "secrets."} {
		if strings.Contains(text, bad) {
			t.Errorf("the workflow mentions %s: deployments use the OIDC role, never stored keys", bad)
		}
	}
	job, ok := wf.Jobs["deploy"]
	if !ok || len(wf.Jobs) != 1 {
		t.Fatalf("want one job, deploy; got %d", len(wf.Jobs))
	}
	if job.Environment != "${{ inputs.profile }}" {
		t.Errorf("the job's environment is %q; the deploy role trusts only the environment named after the profile", job.Environment)
	}
	assumed := false
	for _, s := range job.Steps {
		if strings.HasPrefix(s.Uses, "aws-actions/configure-aws-credentials@") {
			assumed = s.With["role-to-assume"] != ""
		}
		if strings.Contains(s.Run, "cdk deploy") && !assumed {
			t.Errorf("%q runs before a role is assumed", s.Run)
		}
		if strings.Contains(s.Run, "cdk deploy") {
			// Every stack but GitHubDeploy, whichever regions are governed:
			// the CLI deploys only the stacks named and those they depend on.
			for _, sel := range []string{" LogArchive ", " 'LoggingBaseline*' ", " 'Baseline*' ", " Data ", " Service"} {
				if !strings.Contains(s.Run+" ", sel) {
					t.Errorf("%q does not select %s", s.Run, strings.TrimSpace(sel))
				}
			}
		}
	}
	if !assumed {
		t.Error("no aws-actions/configure-aws-credentials step with role-to-assume")
	}
}
