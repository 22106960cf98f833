package telemetry_test

import (
	"os/exec"
	"strings"
	"testing"
)

// A program that does not import telemetry links no OpenTelemetry code:
// none of the packages it would import instead depends on it.
func TestNoTelemetryBuildPath(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	pkgs := []string{"webhook", "idempotency", "idempotency/idemredis", "bigcommerce", "salesforce",
		"mapper", "pipeline", "deadletter"}
	args := []string{"list", "-deps"}
	for _, p := range pkgs {
		args = append(args, "github.com/bc2sf/bc2sf/"+p)
	}
	out, err := exec.Command(goBin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < len(pkgs) {
		t.Fatalf("go list named %d packages, fewer than the %d asked for", len(deps), len(pkgs))
	}
	for _, d := range deps {
		if strings.Contains(d, "go.opentelemetry.io") || strings.Contains(d, "/bc2sf/telemetry") {
			t.Errorf("%s is a dependency of %v", d, pkgs)
		}
	}
	// The check can fail: telemetry itself depends on OpenTelemetry.
	out, err = exec.Command(goBin, "list", "-deps", "github.com/bc2sf/bc2sf/telemetry").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "go.opentelemetry.io/otel\n") {
		t.Errorf("go list -deps telemetry does not name go.opentelemetry.io/otel: %v\n%.500s", err, out)
	}
}
