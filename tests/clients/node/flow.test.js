// The whole greengate flow from Node.js with @grpc/grpc-js and @grpc/proto-loader, against a
// live greengate-server started here (127.0.0.1, free port, temp database, no /metrics).
// Run by run.sh (ctest node_client_flow), which sets GG_SOURCE_DIR and GG_BUILD_DIR.
'use strict';

const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test } = require('node:test');
const { promisify } = require('node:util');

const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const SOURCE_DIR = process.env.GG_SOURCE_DIR;
const BUILD_DIR = process.env.GG_BUILD_DIR;
// ctest passes the targets' files; the build tree's layout otherwise.
const SERVER_BIN = process.env.GG_SERVER_BIN || path.join(BUILD_DIR, 'server', 'greengate-server');
const CLI = process.env.GG_CLI_BIN || path.join(BUILD_DIR, 'client', 'greengate');
const DATA = path.join(SOURCE_DIR, 'deploy', 'demo', 'data');

// Field names as in the .proto (the CLI's JSON uses them too), enums as names, int64 as
// strings (no precision loss), unset scalars filled with their defaults.
const definition = protoLoader.loadSync('greengate/v1/greengate.proto', {
  includeDirs: [path.join(SOURCE_DIR, 'proto')],
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});
const { RetrainGatekeeper } = grpc.loadPackageDefinition(definition).greengate.v1;

async function startServer(dir) {
  const portFile = path.join(dir, 'port');
  const log = fs.openSync(path.join(dir, 'server.log'), 'w');
  const child = spawn(SERVER_BIN, ['--listen=127.0.0.1:0', `--db=${dir}/greengate.db`,
                                   `--port_file=${portFile}`, '--metrics_listen='],
                      { stdio: ['ignore', log, log] });
  for (let i = 0; i < 300 && !fs.existsSync(portFile); i++) {
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!fs.existsSync(portFile)) {
    child.kill('SIGTERM');
    throw new Error('greengate-server did not start: ' +
                    fs.readFileSync(path.join(dir, 'server.log'), 'utf8'));
  }
  const address = `127.0.0.1:${fs.readFileSync(portFile, 'utf8').trim()}`;
  return { child, address };
}

// `greengate profile ...` into a file, parsed: the CLI's JSON uses proto field names, which is
// what proto-loader (keepCase) serializes from.
function profile(dir, address, args) {
  const out = path.join(dir, 'profile.json');
  execFileSync(CLI, ['--server', address, 'profile', ...args, '--out', out]);
  return JSON.parse(fs.readFileSync(out, 'utf8'));
}

function timestamp(ms) {
  return { seconds: String(Math.floor(ms / 1000)), nanos: 0 };
}

test('register, reference, policy, decisions, outcome, governance report', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'greengate-node-'));
  const { child, address } = await startServer(dir);
  const client = new RetrainGatekeeper(address, grpc.credentials.createInsecure());
  const call = (method, request) => promisify(client[method].bind(client))(
      request, { deadline: Date.now() + 30000 });
  try {
    const model = await call('RegisterModel', {
      model_id: 'churn', model: { deployed_version: '2026-11-01', display_name: 'Customer churn' },
    });
    assert.equal(model.name, 'models/churn');

    const reference = profile(dir, address, ['--csv', path.join(DATA, 'reference.csv')]);
    const stored = await call('SetReference', {
      reference: { model: 'models/churn', profile: reference, accuracy: 0.912,
                   evaluation_rows: 4000 },
    });
    assert.equal(stored.model_version, '2026-11-01');
    assert.equal(stored.profile.rows, reference.rows);

    const policy = await call('SetPolicy', {
      policy: { model: 'models/churn', min_gain: 0.01, min_gain_points_per_kwh: 0.1,
                cooldown_s: 86400 },
    });
    assert.equal(policy.version, '1');

    const plan = { accelerator: 'nvidia-a100-40gb', accelerator_count: 1, cpu_cores: 8,
                   memory_gb: 64, hours: 3, region: 'FR', provider: 'gcp' };
    const undrifted = profile(dir, address,
                              ['--model', 'churn', '--csv', path.join(DATA, 'undrifted.csv')]);
    const drifted = profile(dir, address,
                            ['--model', 'churn', '--csv', path.join(DATA, 'drifted.csv')]);
    const rejected = await call('ShouldRetrain', {
      model: 'models/churn', current: undrifted, plan, labeled: { rows: 1200, correct: 1090 },
    });
    assert.equal(rejected.verdict, 'REJECT', rejected.reason);
    const approved = await call('ShouldRetrain', {
      model: 'models/churn', current: drifted, plan, labeled: { rows: 1200, correct: 1008 },
    });
    assert.equal(approved.verdict, 'APPROVE', approved.reason);
    for (const decision of [rejected, approved]) {
      const names = decision.checks.map((c) => c.name);
      assert.ok(names.includes('evidence_of_need'), names.join(','));
      assert.equal(decision.checks.filter((c) => c.decisive).length, 1);
      assert.ok(decision.cost.energy_kwh > 0);
    }
    assert.equal(approved.drift.dataset_drift, true);

    const outcome = await call('ReportOutcome', {
      outcome: { decision: approved.name, energy_kwh: 2.5, co2e_kg: 0.125, duration_s: 9000,
                 source: 'node-test', accuracy_before: 0.84, accuracy_after: 0.9,
                 evaluation_set: 'holdout', evaluation_rows: 4000, training_rows: 20000 },
    });
    assert.ok(Math.abs(outcome.estimated_energy_kwh - approved.cost.energy_kwh) < 1e-9);
    await assert.rejects(
        call('ReportOutcome', { outcome: { decision: rejected.name, energy_kwh: 1,
                                           source: 'node-test' } }),
        (err) => err.code === grpc.status.FAILED_PRECONDITION);

    const now = Date.now();
    const report = await call('GetGovernanceReport', {
      start_time: timestamp(now - 86400000), end_time: timestamp(now + 86400000),
    });
    const overall = report.overall;
    assert.deepEqual([overall.decisions.approved, overall.decisions.rejected,
                      overall.decisions.total], ['1', '1', '2']);
    const close = (a, b) => assert.ok(Math.abs(a - b) < 1e-9, `${a} != ${b}`);
    close(overall.approved_energy_kwh, approved.cost.energy_kwh);
    close(overall.avoided_energy_kwh, rejected.cost.energy_kwh);
    assert.equal(overall.outcomes, '1');
    close(overall.measured_energy_kwh, 2.5);
    close(overall.measured_co2e_kg, 0.125);
    close(overall.estimated_energy_kwh, approved.cost.energy_kwh);
    close(overall.mean_realised_gain, 0.06);
    assert.equal(report.audit.intact, true);
  } finally {
    client.close();
    child.kill('SIGTERM');
    await new Promise((resolve) => {
      if (child.exitCode !== null) resolve();
      else child.on('exit', resolve);
    });
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
