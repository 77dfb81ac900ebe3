'use strict';
/**
 * Preloaded (NODE_OPTIONS=--require) into every real OpenClaw process the end-to-end harness starts:
 * name lookups of anything but loopback names fail at once with ENOTFOUND, so the gateway and the CLI
 * never wait on the network (clawhub.ai, model catalogs, update checks). There is no OpenClaw switch
 * for all of them; IP literals and localhost still work, so the gateway's loopback traffic is untouched.
 */
const dns = require('node:dns');
const net = require('node:net');

const LOCAL_NAMES = /^(localhost|localhost\.localdomain|ip6-localhost|ip6-loopback)\.?$/i;
const allowed = (host) => typeof host === 'string' && (net.isIP(host) !== 0 || LOCAL_NAMES.test(host) || /\.localhost\.?$/i.test(host));
const fs = require('node:fs');
const logFile = process.env.CLAWFIX_E2E_DNS_LOG;
const refuse = (host, syscall = 'getaddrinfo') => {
  // Which names real OpenClaw tried to reach (for the harness's report), one line each.
  if (logFile) {
    try {
      fs.appendFileSync(logFile, `${process.pid} ${syscall} ${host}\n`);
    } catch {
      /* best effort */
    }
  }
  return refusal(host, syscall);
};
const refusal = (host, syscall) =>
  Object.assign(new Error(`${syscall} ENOTFOUND ${host} (offline: clawfix end-to-end harness)`), {
    code: 'ENOTFOUND',
    errno: -3008,
    syscall,
    hostname: host,
  });

const lookup = dns.lookup;
dns.lookup = function offlineLookup(hostname, options, callback) {
  const cb = typeof options === 'function' ? options : callback;
  if (!allowed(hostname)) {
    process.nextTick(cb, refuse(hostname));
    return {};
  }
  return lookup.call(this, hostname, options, callback);
};
const lookupP = dns.promises.lookup;
dns.promises.lookup = function offlineLookup(hostname, options) {
  return allowed(hostname) ? lookupP.call(this, hostname, options) : Promise.reject(refuse(hostname));
};
for (const m of ['resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCname', 'resolveMx', 'resolveNs', 'resolveSrv', 'resolveTxt', 'resolveNaptr', 'resolveCaa', 'resolvePtr', 'resolveSoa']) {
  if (typeof dns[m] === 'function') {
    dns[m] = function offlineResolve(host, ...rest) {
      const cb = rest[rest.length - 1];
      if (typeof cb === 'function') process.nextTick(cb, refuse(host, 'query'));
    };
  }
  if (typeof dns.promises[m] === 'function') dns.promises[m] = (host) => Promise.reject(refuse(host, 'query'));
}
if (dns.Resolver) {
  for (const m of Object.getOwnPropertyNames(dns.Resolver.prototype)) {
    if (!m.startsWith('resolve')) continue;
    dns.Resolver.prototype[m] = function offlineResolve(host, ...rest) {
      const cb = rest[rest.length - 1];
      if (typeof cb === 'function') process.nextTick(cb, refuse(host, 'query'));
    };
  }
}
if (dns.promises.Resolver) {
  for (const m of Object.getOwnPropertyNames(dns.promises.Resolver.prototype)) {
    if (m.startsWith('resolve')) dns.promises.Resolver.prototype[m] = (host) => Promise.reject(refuse(host, 'query'));
  }
}
