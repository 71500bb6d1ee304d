import { createHash } from 'node:crypto';

/** A Lua script with its SHA1, computed once so calls can go by EVALSHA. */
export interface LuaScript {
  readonly name: string;
  readonly lua: string;
  readonly sha: string;
  /** How calls name it in errors (`script <name>`), built once rather than on every call. */
  readonly label: string;
}

/**
 * Declares a Lua script. Scripts touching several keys must keep them in one hash slot
 * (a shared `{...}` hash tag) so they run on Redis Cluster.
 */
export function defineLuaScript(name: string, lua: string): LuaScript {
  return { name, lua, sha: createHash('sha1').update(lua).digest('hex'), label: `script ${name}` };
}
