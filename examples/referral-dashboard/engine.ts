/** The dashboard example's engine and its demo creator: leads on, every sale held for a manager's approval. */
import type { Connection } from 'mongoose';
import { createReferral, type ReferralEngine } from '../../src/index.js';

export const MANAGER = 'manager@acme.test';

export const createDashboardEngine = async (connection: Connection, collectionPrefix = ''): Promise<ReferralEngine> => {
  const referral = await createReferral({
    connection,
    collectionPrefix,
    attribution: { leads: true },
    // Each sale waits in the review queue until the manager decides it.
    review: { chain: () => ({ steps: [{ id: 'manager', approvers: [MANAGER] }] }) },
  });
  await referral.syncIndexes();
  return referral;
};

/** The demo's creator and their code (idempotent: the same code on every start). */
export const demoCreator = async (referral: ReferralEngine, organizationId: string, creatorId: string) => {
  const { code } = await referral.repositories.referralCode.generateCode(creatorId, 'user', { organizationId });
  return { creatorId, code };
};
