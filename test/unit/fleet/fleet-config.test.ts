// The [fleet] section and placement rules, without etcd.
import { describe, expect, it } from 'vitest';
import { parseSupervisordConfig } from '../../../src/config-file/config-file.js';
import { ConfigError } from '../../../src/errors.js';
import { eligible, parsePlacement } from '../../../src/fleet/layout.js';

const file = '/etc/fleet-test.conf';
const read = (fleet: string, env: Record<string, string> = {}) => parseSupervisordConfig(`[supervisord]\n[fleet]\n${fleet}\n`, { file, env });

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('[fleet] section', () => {
  it('reads endpoints, node, labels and timings, with defaults', () => {
    const c = read('etcd = http://127.0.0.1:2379, http://127.0.0.1:22379\nnode = web-1\nlabels = role=web,zone=eu-1');
    expect(c.fleet).toEqual({
      endpoints: ['http://127.0.0.1:2379', 'http://127.0.0.1:22379'],
      node: 'web-1',
      labels: { role: 'web', zone: 'eu-1' },
      prefix: '/procvisor',
      lease_ttl: 5,
      status_interval: 1,
      status_refresh: 30,
      cache_file: expect.stringMatching(/\/procvisor-fleet-web-1\.json$/),
    });
    expect(read('etcd = http://127.0.0.1:2379\ncache_file = none').fleet?.cache_file).toBeUndefined();
    expect(read('etcd = http://127.0.0.1:2379\ncache_file = %(here)s/fleet.json').fleet?.cache_file).toBe('/etc/fleet.json');
  });

  it('is absent without the section, and expands %(ENV_X)s like every other value', () => {
    expect(parseSupervisordConfig('[supervisord]\n', { file, env: {} }).fleet).toBeUndefined();
    expect(read('etcd = http://127.0.0.1:2379\nnode = %(ENV_NODE)s', { NODE: 'n7' }).fleet?.node).toBe('n7');
  });

  it.each([
    ['node = x', 'etcd', /has no etcd value/],
    ['etcd = 127.0.0.1:2379', 'etcd', /invalid etcd endpoint "127.0.0.1:2379"/],
    ['etcd = http://127.0.0.1:2379\nnode = a b', 'node', /invalid node name "a b"/],
    ['etcd = http://127.0.0.1:2379\nlabels = role=we b', 'labels', /invalid label "role=we b"/],
    ['etcd = http://127.0.0.1:2379\nlease_ttl = 1', 'lease_ttl', /lease_ttl must be at least 2, got 1/],
    ['etcd = http://127.0.0.1:2379\nlease_ttl = soon', 'lease_ttl', /not a valid integer|invalid literal/],
    ['etcd = http://127.0.0.1:2379\nusername = u', 'username', /both username and password/],
    ['etcd = http://127.0.0.1:2379\ncert_file = /x.pem', 'cert_file', /both cert_file and key_file/],
    ['etcd = http://127.0.0.1:2379\nca_file = /nonexistent/ca.pem', 'ca_file', /could not read ca_file \/nonexistent\/ca.pem: ENOENT/],
    ['etcd = http://127.0.0.1:2379\nttl = 5', 'ttl', /unknown option "ttl" in section \[fleet\]/],
  ])('rejects %j naming option %s', (text, option, message) => {
    const e = configError(() => read(text));
    expect(e.message).toMatch(message);
    expect(e.option ?? e.section).toBe(option === 'etcd' && !text.includes('etcd') ? 'fleet' : option);
    expect(e.file).toBe(file);
  });
});

describe('placement', () => {
  it('parses and checks the fields', () => {
    expect(parsePlacement(undefined)).toEqual({});
    expect(parsePlacement({ nodes: ['a', 'a', 'b'], labels: { role: 'web' }, singleton: true })).toEqual({
      nodes: ['a', 'b'],
      labels: { role: 'web' },
      singleton: true,
    });
    expect(parsePlacement({ singleton: false })).toEqual({});
    expect(() => parsePlacement({ node: ['a'] })).toThrow(/unknown field 'placement.node'/);
    expect(() => parsePlacement({ nodes: 'a' })).toThrow(/placement.nodes/);
    expect(() => parsePlacement({ labels: { role: 1 } })).toThrow(/placement.labels/);
    expect(() => parsePlacement({ singleton: 'yes' })).toThrow(/placement.singleton/);
    expect(() => parsePlacement([])).toThrow(/must be an object/);
  });

  it('places on every node, named nodes, or nodes whose labels all match', () => {
    const web = { role: 'web', zone: 'a' };
    expect(eligible({}, 'n1', {})).toBe(true);
    expect(eligible({ nodes: ['n1'] }, 'n1', web)).toBe(true);
    expect(eligible({ nodes: ['n1'] }, 'n2', web)).toBe(false);
    expect(eligible({ labels: { role: 'web' } }, 'n2', web)).toBe(true);
    expect(eligible({ labels: { role: 'web', zone: 'b' } }, 'n2', web)).toBe(false);
    expect(eligible({ labels: { role: 'web' } }, 'n2', {})).toBe(false);
    expect(eligible({ nodes: ['n1'], labels: { role: 'web' } }, 'n1', { role: 'db' })).toBe(false);
  });
});
