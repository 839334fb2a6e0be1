package sampleapp

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/secure-webapp/secure-webapp/internal/rdsca"
)

// TestUserData renders the embedded user data as synthesis does and
// checks that it is a valid shell script carrying the app and its settings,
// and nothing secret.
func TestUserData(t *testing.T) {
	ca := rdsca.Bundle("eu-west-2")
	ud, err := UserData(Settings{
		Region: "eu-west-2", Bucket: "app-bucket", Port: 8443,
		// The longest values CloudFormation may put in place of the tokens.
		DBHost: strings.Repeat("h", 253), DBPort: "65535", DBName: "app", DBUser: "webapp_app", CABundle: ca,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"dbUser": "webapp_app"`,
		`"port": 8443`,
		strings.TrimSpace(ca),
		"def auth_token():",
		"security-updates.timer",
	} {
		if !strings.Contains(ud, want) {
			t.Errorf("user data lacks %q", want)
		}
	}
	for _, bad := range []string{"{{", "}}", "{{resolve:", "secretsmanager", "curl"} {
		if strings.Contains(ud, bad) {
			t.Errorf("user data contains %q", bad)
		}
	}
	if _, err := exec.LookPath("bash"); err == nil {
		cmd := exec.Command("bash", "-n")
		cmd.Stdin = strings.NewReader(ud)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("bash -n: %v\n%s", err, out)
		}
	}
	// The config heredoc must be valid JSON for app.py to load.
	start := strings.Index(ud, "<<'CONFIG'\n") + len("<<'CONFIG'\n")
	end := strings.Index(ud, "\nCONFIG\n")
	var cfg map[string]any
	if err := json.Unmarshal([]byte(ud[start:end]), &cfg); err != nil {
		t.Errorf("config is not JSON: %v", err)
	}
	if len(ud) > 16*1024 {
		t.Errorf("user data is %d bytes; EC2 allows 16 KiB", len(ud))
	}
}
