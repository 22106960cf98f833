package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"testing"
)

// fullEnv is every variable a role may read, with made-up values.
func fullEnv() map[string]string {
	return map[string]string{
		"BIGCOMMERCE_STORE_HASH":     "abc123",
		"BIGCOMMERCE_CLIENT_TOKEN":   "bc-token-value",
		"BIGCOMMERCE_WEBHOOK_SECRET": webhookSecret,
		"BIGCOMMERCE_CLIENT_SECRET":  clientSecret,
		"SALESFORCE_CLIENT_ID":       "id",
		"SALESFORCE_CLIENT_SECRET":   sfSecret,
		"SALESFORCE_INSTANCE_URL":    " https://acme.my.salesforce.com/ ",
		"ADMIN_TOKEN":                adminToken,
	}
}

// withEnv copies env, sets the pairs of kv and deletes the keys whose value
// is "-".
func withEnv(env map[string]string, kv ...string) map[string]string {
	out := maps.Clone(env)
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == "-" {
			delete(out, kv[i])
		} else {
			out[kv[i]] = kv[i+1]
		}
	}
	return out
}

func TestLoadConfigDefaultsAndOverrides(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want map[string]string // field of settings -> value
	}{
		{"defaults", fullEnv(), map[string]string{
			"role": "all", "bcAPIURL": "https://api.bigcommerce.com", "webhookHeader": "X-Webhook-Secret",
			"sfInstanceURL": "https://acme.my.salesforce.com/",
			"sfTokenURL":    "https://acme.my.salesforce.com/services/oauth2/token",
			"sfAPIVersion":  "v64.0", "listenAddr": ":8080", "workers": "4", "reconcileEvery": "0s",
			"logFormat": "text", "stageName": "", "redis": "", "target": "opportunity", "pricebookID": "",
			"adminAddr": "",
		}},
		{"overrides", withEnv(fullEnv(),
			"SALESFORCE_TOKEN_URL", "https://login.example/token", "SALESFORCE_API_VERSION", "v66.0",
			"WORKERS", "12", "RECONCILE_INTERVAL", "10m", "LOG_FORMAT", "JSON", "MAPPER_STAGE_NAME", "Won",
			"REDIS_URL", "redis://:pw@10.0.0.1:6380/3", "BIGCOMMERCE_WEBHOOK_HEADER", "X-Hook",
			"LISTEN_ADDR", "127.0.0.1:9000", "ROLE", "All", "SYNC_TARGET", "Order",
			"SALESFORCE_PRICEBOOK_ID", "01s000000000001AAA", "ADMIN_ADDR", "127.0.0.1:9090",
		), map[string]string{
			"role": "all", "sfTokenURL": "https://login.example/token", "sfAPIVersion": "v66.0", "workers": "12",
			"reconcileEvery": "10m0s", "logFormat": "json", "stageName": "Won", "webhookHeader": "X-Hook",
			"redis": "10.0.0.1:6380 db 3", "listenAddr": "127.0.0.1:9000", "target": "order",
			"pricebookID": "01s000000000001AAA", "adminAddr": "127.0.0.1:9090",
		}},
		// A receiver reads no API variable, a worker no webhook variable,
		// even when the environment has them.
		{"receiver", withEnv(fullEnv(), "ROLE", "receiver", "REDIS_URL", "redis://localhost:6379/0"), map[string]string{
			"role": "receiver", "redis": "localhost:6379 db 0", "webhookHeader": "X-Webhook-Secret",
			"bcAPIURL": "", "sfTokenURL": "", "workers": "0", "target": "",
		}},
		{"worker", withEnv(fullEnv(), "ROLE", "worker", "REDIS_URL", "redis://localhost:6379/0"), map[string]string{
			"role": "worker", "redis": "localhost:6379 db 0", "webhookHeader": "",
			"bcAPIURL": "https://api.bigcommerce.com", "workers": "4", "target": "opportunity",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := loadConfig(mapEnv(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			got := settings(c)
			for k, want := range tt.want {
				if got[k] != want {
					t.Errorf("%s = %q, want %q", k, got[k], want)
				}
			}
			if c.role == roleWorker && (c.webhookSecret != "" || c.bcClientSecret != "") {
				t.Error("a worker read a webhook credential")
			}
			if c.role == roleReceiver && (c.bcToken != "" || c.sfClientSecret != "") {
				t.Error("a receiver read an API credential")
			}
		})
	}
}

// settings lists the fields of c that hold no secret, as text.
func settings(c config) map[string]string {
	redis := ""
	if c.redis != nil {
		redis = fmt.Sprintf("%s db %d", c.redis.Addr, c.redis.DB)
	}
	return map[string]string{
		"role": string(c.role), "bcAPIURL": c.bcAPIURL, "webhookHeader": c.webhookHeader,
		"sfInstanceURL": c.sfInstanceURL, "sfTokenURL": c.sfTokenURL, "sfAPIVersion": c.sfAPIVersion,
		"listenAddr": c.listenAddr, "workers": fmt.Sprint(c.workers), "reconcileEvery": c.reconcileEvery.String(),
		"logFormat": c.logFormat, "stageName": c.stageName, "redis": redis, "target": c.target,
		"pricebookID": c.pricebookID, "adminAddr": c.adminAddr,
	}
}

// However the configuration is printed, its secrets stay out.
func TestConfigPrintsNoSecrets(t *testing.T) {
	t.Parallel()
	for _, r := range []role{roleAll, roleReceiver, roleWorker} {
		env := withEnv(fullEnv(), "ROLE", string(r), "REDIS_URL", "redis://:redis-password@localhost:6379/0",
			"ADMIN_ADDR", "127.0.0.1:9090")
		c, err := loadConfig(mapEnv(env))
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		fmt.Fprintf(&out, "%v %+v %#v %s\n", c, c, c, c)
		slog.New(slog.NewTextHandler(&out, nil)).Info("text", "config", c)
		slog.New(slog.NewJSONHandler(&out, nil)).Info("json", "config", c)
		assertNoSecrets(t, out.String(), env)
		if strings.Contains(out.String(), "redis-password") {
			t.Errorf("ROLE=%s: output contains the Redis password:\n%s", r, out.String())
		}
		if !strings.Contains(out.String(), "role="+string(r)) || !strings.Contains(out.String(), "admin_addr=127.0.0.1:9090") {
			t.Errorf("ROLE=%s: output does not describe the configuration:\n%s", r, out.String())
		}
	}
}

// assertNoSecrets itself must be able to fail.
func TestAssertNoSecretsCatchesEachSecret(t *testing.T) {
	t.Parallel()
	env := fullEnv()
	for _, name := range secretVars {
		r := &failRecorder{TB: t}
		assertNoSecrets(r, "a line with "+env[name]+" in it", env)
		if !r.failed {
			t.Errorf("assertNoSecrets missed the value of %s", name)
		}
	}
	r := &failRecorder{TB: t}
	assertNoSecrets(r, `{"msg":"starting"}`, env)
	if r.failed {
		t.Error("assertNoSecrets failed on clean output")
	}
}

// failRecorder is a testing.TB that records a failure instead of failing.
type failRecorder struct {
	testing.TB
	failed bool
}

func (r *failRecorder) Helper()               {}
func (r *failRecorder) Errorf(string, ...any) { r.failed = true }
