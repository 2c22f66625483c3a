// A pointInTime database's recovery point as status shows it: how far its chain of shipped logs reaches from its
// newest checked backup, how long ago that is against the target, where the chain ends, and its problem if any.
import type { Bucket } from '@google-cloud/storage';
import { chainState } from '../binlog/chain-state.js';
import type { FunctionConfig, Target } from '../config/schema.js';
import type { Problem } from './judge-target.js';

export interface RecoveryPoint {
  /** The latest moment a restore can reach now. */
  reachesTo: string;
  /** Now minus `reachesTo`: the recovery point achieved. */
  lagMinutes: number;
  /** BACKUP_RPO_MINUTES. */
  targetMinutes: number;
  /** The backup the chain starts from, and the log it ends in. */
  backup: string;
  chainEnd?: string;
}

/** The recovery point of `target` and its problem; nothing for a target not pointInTime, or without a checked backup. */
export async function recoveryPoint(
  bucket: Bucket,
  config: FunctionConfig,
  target: Target,
  now: Date,
): Promise<{ recoveryPoint?: RecoveryPoint; problems: Problem[] }> {
  const chain = target.pointInTime ? await chainState(bucket, config, target, now) : null;
  if (!chain) return { problems: [] };
  const { reachesTo, lagMinutes, backup, end } = chain;
  return {
    recoveryPoint: {
      reachesTo,
      lagMinutes,
      targetMinutes: config.rpoMinutes,
      backup,
      ...(end && { chainEnd: end }),
    },
    problems: chain.problem ? [chain.problem] : [],
  };
}
