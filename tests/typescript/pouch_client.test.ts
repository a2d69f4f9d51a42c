// The TypeScript client generated from api/swagger.yaml, against a live pouchd over TCP.
// tests/test_typescript_client.py starts the daemon, compiles this file and the client with
// `tsc --strict`, and runs it with POUCHD_URL=http://127.0.0.1:PORT and POUCHD_LABEL (a label
// the daemon was started with); then it checks from its side that the update made here happened.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createClient } from '../../generated/typescript/client';
import {
  daemonUpdate,
  type Error as PouchError,
  systemInfo,
  systemPing,
  systemVersion,
} from '../../generated/typescript';

function env(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new TypeError(`${name} is not set; run this through tests/test_typescript_client.py`);
  }
  return value;
}

const base = env('POUCHD_URL');
const startLabel = env('POUCHD_LABEL');
const client = createClient({ baseUrl: `${base}/v1.24` });

test('ping answers OK as text, with the API version header', async () => {
  const { data, response } = await systemPing({ client });
  assert.equal(response?.status, 200);
  assert.equal(data, 'OK');
  assert.equal(response?.headers.get('API-Version'), '1.24');
});

test('version', async () => {
  const { data, error, response } = await systemVersion({ client });
  assert.equal(response?.status, 200);
  assert.equal(error, undefined);
  assert.ok(data);
  assert.equal(data.ApiVersion, '1.24');
  assert.equal(data.MinAPIVersion, '1.24');
  assert.equal(data.Os, 'linux');
  assert.match(data.Version ?? '', /^\d+\.\d+\.\d+/);
});

test('info', async () => {
  const { data, response } = await systemInfo({ client });
  assert.equal(response?.status, 200);
  assert.ok(data);
  assert.ok((data.NCPU ?? 0) >= 1);
  assert.ok((data.MemTotal ?? 0) > 0);
  assert.deepEqual(data.Labels, [startLabel]);
  assert.ok(data.ListenAddresses?.includes(`tcp://${new URL(base).host}`), String(data.ListenAddresses));
});

test('a daemon update shows in info at once', async () => {
  const update = await daemonUpdate({
    client,
    body: { Labels: ['client=typescript'], ImageProxy: 'http://proxy.example.com:3128' },
  });
  assert.equal(update.response?.status, 200);
  assert.equal(update.error, undefined);
  const { data } = await systemInfo({ client });
  assert.ok(data);
  assert.deepEqual(data.Labels, [startLabel, 'client=typescript']);
  assert.equal(data.HttpProxy, 'http://proxy.example.com:3128');
});

test("an error is the spec's Error, with the daemon's message", async () => {
  const tooNew = createClient({ baseUrl: `${base}/v9.99` });
  const { data, error, response } = await systemVersion({ client: tooNew });
  assert.equal(response?.status, 400);
  assert.equal(data, undefined);
  const err: PouchError | undefined = error;
  assert.deepEqual(err, {
    message: 'client version 9.99 is too new. Maximum supported API version is 1.24',
  });
});

test('a refused update throws the Error when asked to', async () => {
  await assert.rejects(
    daemonUpdate({ client, body: { Labels: ['=no-key'] }, throwOnError: true }),
    (thrown: PouchError) => {
      assert.equal(typeof thrown.message, 'string');
      assert.match(thrown.message ?? '', /Labels/);
      return true;
    },
  );
});
