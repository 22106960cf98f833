package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/bc2sf/bc2sf/examples/internal/extest"
)

func TestLoadConfigDefaultsAndOverrides(t *testing.T) {
	t.Parallel()
	base := map[string]string{
		"BIGCOMMERCE_STORE_HASH":     "abc123",
		"BIGCOMMERCE_CLIENT_TOKEN":   "bc-token-value",
		"BIGCOMMERCE_WEBHOOK_SECRET": extest.WebhookSecret,
		"SALESFORCE_CLIENT_ID":       "id",
		"SALESFORCE_CLIENT_SECRET":   extest.SFSecret,
		"SALESFORCE_INSTANCE_URL":    " https://acme.my.salesforce.com/ ",
	}
	tests := []struct {
		name  string
		extra map[string]string
		want  map[string]string // field of settings -> value
	}{
		{"defaults", nil, map[string]string{
			"bcAPIURL": "https://api.bigcommerce.com", "webhookHeader": "X-Webhook-Secret",
			"sfInstanceURL": "https://acme.my.salesforce.com/",
			"sfTokenURL":    "https://acme.my.salesforce.com/services/oauth2/token",
			"sfAPIVersion":  "v64.0", "listenAddr": ":8080", "workers": "4", "reconcileEvery": "0s",
			"logFormat": "text", "stageName": "", "redis": "",
		}},
		{"overrides", map[string]string{
			"SALESFORCE_TOKEN_URL": "https://login.example/token", "SALESFORCE_API_VERSION": "v66.0",
			"WORKERS": "12", "RECONCILE_INTERVAL": "10m", "LOG_FORMAT": "JSON", "MAPPER_STAGE_NAME": "Won",
			"REDIS_URL": "redis://:pw@10.0.0.1:6380/3", "BIGCOMMERCE_WEBHOOK_HEADER": "X-Hook",
			"LISTEN_ADDR": "127.0.0.1:9000",
		}, map[string]string{
			"sfTokenURL": "https://login.example/token", "sfAPIVersion": "v66.0", "workers": "12",
			"reconcileEvery": "10m0s", "logFormat": "json", "stageName": "Won", "webhookHeader": "X-Hook",
			"redis": "10.0.0.1:6380 db 3", "listenAddr": "127.0.0.1:9000",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{}
			for k, v := range base {
				env[k] = v
			}
			for k, v := range tt.extra {
				env[k] = v
			}
			c, err := loadConfig(extest.MapEnv(env))
			if err != nil {
				t.Fatal(err)
			}
			got := settings(c)
			for k, want := range tt.want {
				if got[k] != want {
					t.Errorf("%s = %q, want %q", k, got[k], want)
				}
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
		"bcAPIURL": c.bcAPIURL, "webhookHeader": c.webhookHeader, "sfInstanceURL": c.sfInstanceURL,
		"sfTokenURL": c.sfTokenURL, "sfAPIVersion": c.sfAPIVersion, "listenAddr": c.listenAddr,
		"workers": fmt.Sprint(c.workers), "reconcileEvery": c.reconcileEvery.String(),
		"logFormat": c.logFormat, "stageName": c.stageName, "redis": redis,
	}
}

// However the configuration is printed, its secrets stay out.
func TestConfigPrintsNoSecrets(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"BIGCOMMERCE_STORE_HASH":     "abc123",
		"BIGCOMMERCE_CLIENT_TOKEN":   "bc-token-value",
		"BIGCOMMERCE_WEBHOOK_SECRET": extest.WebhookSecret,
		"BIGCOMMERCE_CLIENT_SECRET":  extest.ClientSecret,
		"SALESFORCE_CLIENT_ID":       "id",
		"SALESFORCE_CLIENT_SECRET":   extest.SFSecret,
		"SALESFORCE_INSTANCE_URL":    "https://acme.my.salesforce.com",
		"REDIS_URL":                  "redis://:redis-password@localhost:6379/0",
	}
	c, err := loadConfig(extest.MapEnv(env))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "%v %+v %#v %s\n", c, c, c, c)
	slog.New(slog.NewTextHandler(&out, nil)).Info("text", "config", c)
	slog.New(slog.NewJSONHandler(&out, nil)).Info("json", "config", c)
	extest.AssertNoSecrets(t, out.String(), env)
	if strings.Contains(out.String(), "redis-password") {
		t.Errorf("output contains the Redis password:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "abc123") {
		t.Errorf("output does not describe the configuration:\n%s", out.String())
	}
}
