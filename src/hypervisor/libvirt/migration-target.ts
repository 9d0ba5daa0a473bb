/**
 * What a request may ask libvirt to migrate, and where to: the libvirt form of the allow-list of
 * `hypervisor/qemu/migration-target.ts`. A libvirt URI reaches a daemon that can run any domain, and its `ext`
 * transport (or a `command=` parameter) runs a program on this host, so POST /v1/execute and POST /v1/jobs
 * accept only the source connections and domains, and the destination connections, the operator listed
 * (`serve --allow-libvirt-domain NAME@URI`, `--allow-libvirt-dest URI`, or the targets file's `libvirt`
 * section and libvirt `vms` entries). A destination domain XML (`xml`, a file on the service's host) comes only
 * from the operator's list, never from a request.
 */

/** One source domain the operator allows to be moved (and followed), with its destination XML if any. */
export interface AllowedDomain {
  uri: string;
  domain: string;
  xml?: string;
}

export interface AllowedLibvirt {
  domains: readonly AllowedDomain[];
  /** Destination connection URIs, exactly. */
  destinations: readonly string[];
}

/** Why a libvirt connection URI is refused, or undefined for `driver[+transport]:///...` or `driver[+transport]://host/...`. */
export function libvirtUriIssue(uri: string): string | undefined {
  const m = /^([a-z][a-z0-9]*)(?:\+([a-z0-9]+))?:\/\/[^\s\0]*$/.exec(uri);
  if (!m) return 'must be a libvirt URI such as qemu:///system or qemu+ssh://host2/system';
  if (m[2] === 'ext') return 'uses the ext transport, which runs a program: never accepted';
  if (/[?&](command|netcat)=/i.test(uri)) return 'names a program to run (command= or netcat=): never accepted';
  return undefined;
}

/** `NAME@URI` (the first @ ends the name, so a URI may carry user@host). */
export function parseAllowedDomain(flag: string, spec: string): AllowedDomain {
  const at = spec.indexOf('@');
  if (at <= 0 || at === spec.length - 1) throw new AllowListSpecError(`${flag}: "${spec}" must be NAME@URI (e.g. vm1@qemu:///system)`);
  return { domain: spec.slice(0, at), uri: spec.slice(at + 1) };
}

export class AllowListSpecError extends Error {
  override name = 'AllowListSpecError';
  readonly badInput = true;
}

/** Reads the libvirt part of a targets file: `libvirt: {domains: [{uri, domain, xml?}], destinations: [...]}` and libvirt `vms` entries. */
export function allowedLibvirtFromDoc(doc: { vms?: Record<string, unknown>; libvirt?: unknown }, where: string): AllowedLibvirt {
  const domains: AllowedDomain[] = [];
  const destinations: string[] = [];
  for (const [vm, t] of Object.entries(doc.vms ?? {})) {
    const e = t as { libvirt?: unknown; domain?: unknown; dest?: unknown; xml?: unknown };
    if (e?.libvirt === undefined) continue;
    if (typeof e.libvirt !== 'string' || typeof e.dest !== 'string') throw new AllowListSpecError(`${where}: vms.${vm} must give libvirt and dest (URIs)`);
    domains.push({ uri: e.libvirt, domain: typeof e.domain === 'string' ? e.domain : vm, ...(typeof e.xml === 'string' ? { xml: e.xml } : {}) });
    destinations.push(e.dest);
  }
  const lv = (doc.libvirt ?? {}) as { domains?: unknown; destinations?: unknown };
  if (doc.libvirt !== undefined && (typeof doc.libvirt !== 'object' || doc.libvirt === null)) throw new AllowListSpecError(`${where}: libvirt must be an object {"domains": [...], "destinations": [...]}`);
  if (lv.domains !== undefined) {
    if (!Array.isArray(lv.domains)) throw new AllowListSpecError(`${where}: libvirt.domains must be a list of {"uri", "domain", "xml"?}`);
    for (const [i, d] of (lv.domains as { uri?: unknown; domain?: unknown; xml?: unknown }[]).entries()) {
      if (typeof d?.uri !== 'string' || typeof d?.domain !== 'string') throw new AllowListSpecError(`${where}: libvirt.domains[${i}] must give uri and domain`);
      domains.push({ uri: d.uri, domain: d.domain, ...(typeof d.xml === 'string' ? { xml: d.xml } : {}) });
    }
  }
  if (lv.destinations !== undefined) {
    if (!Array.isArray(lv.destinations)) throw new AllowListSpecError(`${where}: libvirt.destinations must be a list of URIs`);
    destinations.push(...lv.destinations.map(String));
  }
  checkAllowedLibvirt({ domains, destinations }, where);
  return { domains, destinations };
}

/** The operator's own list must be sound too: every URI a libvirt URI without a program to run. */
export function checkAllowedLibvirt(a: AllowedLibvirt, where: string): void {
  for (const u of [...a.domains.map((d) => d.uri), ...a.destinations]) {
    const issue = libvirtUriIssue(u);
    if (issue) throw new AllowListSpecError(`${where}: libvirt URI ${u} ${issue}`);
  }
}

export function mergeAllowedLibvirt(a: AllowedLibvirt | undefined, b: AllowedLibvirt | undefined): AllowedLibvirt | undefined {
  if (!a) return b;
  if (!b) return a;
  return { domains: [...a.domains, ...b.domains], destinations: [...a.destinations, ...b.destinations] };
}

/** A request's libvirt move target. */
export interface LibvirtTarget {
  libvirt: string;
  domain: string;
  dest: string;
}

/** The operator's entry for a source domain, or undefined. */
export function allowedDomain(t: { libvirt: string; domain: string }, allowed: AllowedLibvirt | undefined): AllowedDomain | undefined {
  return allowed?.domains.find((d) => d.uri === t.libvirt && d.domain === t.domain);
}

/** Checks one libvirt target against the operator's list; answers the field it breaks and why. */
export function checkLibvirtTarget(t: { libvirt: string; domain: string; dest?: string; xml?: unknown }, allowed: AllowedLibvirt | undefined, field: string, needDest = true): { field: string; rule: string } | undefined {
  const hint = '(serve --allow-libvirt-domain NAME@URI, or the targets file\'s libvirt.domains)';
  const src = libvirtUriIssue(t.libvirt);
  if (src) return { field: `${field}.libvirt`, rule: src };
  if (!allowed || !allowed.domains.some((d) => d.uri === t.libvirt)) return { field: `${field}.libvirt`, rule: `is not a libvirt connection the operator listed ${hint}` };
  if (!allowedDomain(t, allowed)) return { field: `${field}.domain`, rule: `is not a domain the operator listed on ${t.libvirt} ${hint}` };
  if (t.xml !== undefined) return { field: `${field}.xml`, rule: 'comes only from the operator\'s targets file (libvirt.domains[].xml), never from a request' };
  if (!needDest) return undefined;
  if (typeof t.dest !== 'string') return { field: `${field}.dest`, rule: 'must give the destination libvirt URI' };
  const dst = libvirtUriIssue(t.dest);
  if (dst) return { field: `${field}.dest`, rule: dst };
  if (!allowed.destinations.includes(t.dest)) return { field: `${field}.dest`, rule: 'is not a destination the operator allowed (serve --allow-libvirt-dest URI, or the targets file\'s libvirt.destinations)' };
  return undefined;
}

/** The allow-list of a targets file (if any) with the libvirt domains and destinations given as `serve` flags. */
export function allowedFromFlags<T extends { destinations: readonly string[]; qmpSockets: readonly string[]; libvirt?: AllowedLibvirt }>(fromFile: T | undefined, domainSpecs: readonly string[], destinations: readonly string[]): T | { destinations: readonly string[]; qmpSockets: readonly string[]; libvirt?: AllowedLibvirt } | undefined {
  if (domainSpecs.length + destinations.length === 0) return fromFile;
  const flags: AllowedLibvirt = { domains: domainSpecs.map((d) => parseAllowedDomain('--allow-libvirt-domain', d)), destinations: [...destinations] };
  checkAllowedLibvirt(flags, 'serve --allow-libvirt-domain/--allow-libvirt-dest');
  const base: { destinations: readonly string[]; qmpSockets: readonly string[]; libvirt?: AllowedLibvirt } = fromFile ?? { destinations: [], qmpSockets: [] };
  return { ...base, libvirt: mergeAllowedLibvirt(base.libvirt, flags) };
}
