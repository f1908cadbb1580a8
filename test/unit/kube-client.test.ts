import { describe, expect, it } from "vitest";
import { KubeConfig } from "@kubernetes/client-node";
import { KubeClient } from "../../src/cluster/client.js";

function config(proxy?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server: "https://127.0.0.1:1", skipTLSVerify: true, ...(proxy ? { proxyUrl: proxy } : {}) }],
    users: [{ name: "u", token: "t" }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  return kc;
}

describe("KubeClient transport", () => {
  it("reuses one keep-alive agent for a direct cluster", async () => {
    const client = new KubeClient(config());
    const a = await (client as unknown as { init(m: string, o: object): Promise<{ agent: { keepAlive?: boolean } }> }).init("GET", {});
    const b = await (client as unknown as { init(m: string, o: object): Promise<{ agent: unknown }> }).init("GET", {});
    expect(a.agent).toBe(b.agent);
    expect(a.agent.keepAlive).toBe(true);
    client.close();
  });

  it("keeps client-node's proxy agent when the kubeconfig names a proxy", async () => {
    const client = new KubeClient(config("http://127.0.0.1:3128"));
    const init = await (client as unknown as { init(m: string, o: object): Promise<{ agent: object }> }).init("GET", {});
    expect(init.agent.constructor.name).toMatch(/Proxy/);
    client.close();
  });
});
