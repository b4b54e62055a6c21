"use strict";
// cordon's Node preload (given through NODE_OPTIONS=--require): routes Node's own fetch and the
// http/https agents through the sandbox's proxy on Node versions that ignore HTTP_PROXY (before
// 22.21 and 24, which read NODE_USE_ENV_PROXY themselves). It only adds a route: the kernel
// forces traffic through the proxy anyway, so a program that undoes this reaches nothing else.
(() => {
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major >= 24 || (major === 22 && minor >= 21)) return;
  const env = process.env;
  const proxyUrl = env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy;
  if (!proxyUrl || env.CORDON_SANDBOX !== "1") return;
  let proxy;
  try {
    proxy = new URL(proxyUrl);
  } catch {
    return;
  }
  const noProxy = (env.NO_PROXY || env.no_proxy || "").split(",").map((e) => e.trim().toLowerCase().replace(/^\*?\./, "")).filter(Boolean);
  const bypass = (host) => {
    const h = String(host || "").toLowerCase().replace(/^\[|\]$/g, "");
    return noProxy.some((e) => e === "*" || h === e || h.endsWith(`.${e}`));
  };

  // fetch: undici's EnvHttpProxyAgent as the global dispatcher, loaded on first use only.
  const undiciPath = env.CORDON_NODE_UNDICI;
  const key = Symbol.for("undici.globalDispatcher.1");
  if (undiciPath && globalThis[key] === undefined) {
    let loading = false;
    Object.defineProperty(globalThis, key, {
      configurable: true,
      enumerable: false,
      get() {
        // undici asks for the global dispatcher while it loads: undefined lets it install its own
        // (redefining this property), which is then replaced by the proxy agent.
        if (loading) return undefined;
        loading = true;
        const pending = require.cache[undiciPath];
        let undici;
        try {
          undici = pending && !pending.loaded ? undefined : require(undiciPath);
        } catch {
          undici = undefined; // an older Node than this undici supports: fetch keeps its default
        }
        if (typeof undici?.EnvHttpProxyAgent !== "function") {
          // Or this very undici is still loading (the program itself imports it: cordon in
          // cordon): step aside and let it install its own dispatcher.
          delete globalThis[key];
          return undefined;
        }
        const agent = new undici.EnvHttpProxyAgent();
        undici.setGlobalDispatcher(agent);
        return agent;
      },
      // A plain assignment (before anything read it) is the caller's choice: keep it.
      set(value) {
        Object.defineProperty(globalThis, key, { value, writable: true, enumerable: false, configurable: false });
      },
    });
  }

  // http.get / https.request: each global agent connection is a CONNECT tunnel through the proxy.
  const net = require("node:net");
  const tls = require("node:tls");
  const http = require("node:http");
  const https = require("node:https");
  const auth =
    proxy.username || proxy.password
      ? `Proxy-Authorization: Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString("base64")}\r\n`
      : "";
  const tunnel = (host, port, done) => {
    const target = `${host.includes(":") ? `[${host}]` : host}:${port}`;
    const socket = net.connect(Number(proxy.port) || 80, proxy.hostname.replace(/^\[|\]$/g, ""));
    let head = Buffer.alloc(0);
    const fail = (err) => {
      socket.destroy();
      done(err);
    };
    const onData = (chunk) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.off("data", onData);
      socket.off("error", fail);
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head.subarray(0, end).toString("latin1"));
      if (!status || status[1] !== "200") {
        const err = new Error(`cordon proxy refused CONNECT ${target}: ${head.subarray(0, head.indexOf("\r\n")).toString("latin1")}`);
        err.code = "ECONNREFUSED";
        return fail(err);
      }
      const rest = head.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      done(null, socket);
    };
    socket.on("data", onData);
    socket.on("error", fail);
    socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth}\r\n`);
  };
  // Only the global agents: code with an agent of its own manages its connections (a proxy does).
  const patch = (agent, secure) => {
    const original = agent.createConnection;
    agent.createConnection = function createConnection(options, callback) {
      const host = options.host || options.hostname || "localhost";
      if (options.socketPath || bypass(host) || typeof callback !== "function") return original.call(this, options, callback);
      const port = options.port || (secure ? 443 : 80);
      tunnel(host, port, (err, socket) => {
        if (err) return callback(err);
        if (!secure) return callback(null, socket);
        const servername = options.servername || (net.isIP(host) ? undefined : host);
        const secured = tls.connect({ ...options, socket, ...(servername ? { servername } : {}) });
        callback(null, secured);
      });
      return undefined;
    };
  };
  patch(http.globalAgent, false);
  patch(https.globalAgent, true);
})();
