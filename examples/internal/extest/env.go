package extest

import (
	"strings"
	"testing"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// Secret values of the test environment that Fakes returns; no output of a
// program may contain them.
const (
	WebhookSecret = "shared-webhook-secret-value" // BIGCOMMERCE_WEBHOOK_SECRET
	ClientSecret  = "bc-client-secret-value"      // BIGCOMMERCE_CLIENT_SECRET
	SFSecret      = "sf-client-secret-value"      // SALESFORCE_CLIENT_SECRET
)

// secretVars name the variables whose values must never be printed.
var secretVars = []string{"BIGCOMMERCE_CLIENT_TOKEN", "BIGCOMMERCE_CLIENT_SECRET", "BIGCOMMERCE_WEBHOOK_SECRET", "SALESFORCE_CLIENT_SECRET"}

// Fakes starts a fake store (under the base path /bc) that signs
// deliveries with ClientSecret and a fake org accepting the client
// credentials "sf-client-id" and SFSecret, both stopped when the test ends,
// and returns the environment that points a program at them: JSON logs, a
// listener on a free loopback port and 2 workers.
func Fakes(tb testing.TB) (*bctest.Server, *sftest.Server, map[string]string) {
	tb.Helper()
	bc := bctest.New(tb, bctest.WithBasePath("/bc"), bctest.WithClientSecret(ClientSecret))
	sf := sftest.NewServer(sftest.WithClientCredentials("sf-client-id", SFSecret))
	tb.Cleanup(sf.Close)
	return bc, sf, map[string]string{
		"BIGCOMMERCE_STORE_HASH":     bc.StoreHash(),
		"BIGCOMMERCE_CLIENT_TOKEN":   bc.Token(),
		"BIGCOMMERCE_API_URL":        bc.URL(),
		"BIGCOMMERCE_CLIENT_SECRET":  ClientSecret,
		"BIGCOMMERCE_WEBHOOK_SECRET": WebhookSecret,
		"SALESFORCE_CLIENT_ID":       "sf-client-id",
		"SALESFORCE_CLIENT_SECRET":   SFSecret,
		"SALESFORCE_INSTANCE_URL":    sf.URL(),
		"LISTEN_ADDR":                "127.0.0.1:0",
		"LOG_FORMAT":                 "json",
		"WORKERS":                    "2",
	}
}

// MapEnv returns a getenv that reads env; a missing name gives "".
func MapEnv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

// AssertNoSecrets fails the test when out holds the value of any of
// BIGCOMMERCE_CLIENT_TOKEN, BIGCOMMERCE_CLIENT_SECRET,
// BIGCOMMERCE_WEBHOOK_SECRET and SALESFORCE_CLIENT_SECRET in env, naming
// the variable. Empty values are not looked for.
func AssertNoSecrets(tb testing.TB, out string, env map[string]string) {
	tb.Helper()
	for _, name := range secretVars {
		if v := env[name]; v != "" && strings.Contains(out, v) {
			tb.Errorf("output contains the value of %s:\n%s", name, out)
		}
	}
}
