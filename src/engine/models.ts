import type { Connection, Model } from 'mongoose';
import { bindingIndexes, buildBindingSchema, type ReferralBindingRecord } from '../attribution/binding.model.js';
import { buildLeadSchema, leadIndexes, type ReferralLeadRecord } from '../attribution/lead.model.js';
import { buildTouchSchema, type ReferralTouchRecord, touchIndexes } from '../attribution/touch.model.js';
import { buildReferralCodeSchema, type ReferralCodeRecord, referralCodeIndexes } from '../codes/model.js';
import { configError, ModelCollisionError } from '../kernel/errors.js';
import type { ResolvedTenant } from '../kernel/tenant.js';
import { buildReferralSchema, type ReferralRecord, referralIndexes } from '../referrals/model.js';
import { buildReferrerSchema, type ReferralReferrerRecord, referrerIndexes } from '../referrers/model.js';
import { buildRollupSchema, type ReferralRollupRecord, rollupIndexes } from '../stats/rollup.model.js';
import type { OwnedModel } from '../store/sync-indexes.js';

export interface ReferralModels {
  ReferralCode: Model<ReferralCodeRecord>;
  Referral: Model<ReferralRecord>;
  ReferralTouch: Model<ReferralTouchRecord>;
  ReferralBinding: Model<ReferralBindingRecord>;
  ReferralLead: Model<ReferralLeadRecord>;
  ReferralReferrer: Model<ReferralReferrerRecord>;
  /** The dashboards' per-day rollups and their watermarks (derived data: `stats.*` keeps them exact). */
  ReferralRollup: Model<ReferralRollupRecord>;
}

const prefixPattern = /^[A-Za-z0-9_]*$/;

/** The model names an engine with this collection prefix registers, known without a connection. */
export const modelNamesFor = (prefix: string): readonly [string, string, string, string, string, string, string] => {
  if (!prefixPattern.test(prefix)) throw configError('collectionPrefix', 'May only contain letters, digits and "_"');
  return [
    `${prefix}ReferralCode`,
    `${prefix}Referral`,
    `${prefix}ReferralTouch`,
    `${prefix}ReferralBinding`,
    `${prefix}ReferralLead`,
    `${prefix}ReferralReferrer`,
    `${prefix}ReferralRollup`,
  ];
};

/**
 * Registers the engine's models on the host connection, under names derived from the
 * collection prefix. A second engine with the same prefix on the same connection is refused
 * rather than silently sharing (or replacing) the first engine's models.
 */
export const registerModels = (
  connection: Connection,
  tenant: ResolvedTenant,
  prefix: string,
  touchTtlSeconds: number,
): { models: ReferralModels; owned: OwnedModel[] } => {
  const names = modelNamesFor(prefix);
  const [codeName, referralName, touchName, bindingName, leadName, referrerName, rollupName] = names;
  for (const name of names) {
    if (connection.models[name]) throw new ModelCollisionError(name);
  }
  const ReferralCode = connection.model<ReferralCodeRecord>(codeName, buildReferralCodeSchema(tenant, `${prefix}referral_codes`));
  const Referral = connection.model<ReferralRecord>(referralName, buildReferralSchema(tenant, `${prefix}referrals`));
  const ReferralTouch = connection.model<ReferralTouchRecord>(touchName, buildTouchSchema(tenant, `${prefix}referral_touches`, touchTtlSeconds));
  const ReferralBinding = connection.model<ReferralBindingRecord>(bindingName, buildBindingSchema(tenant, `${prefix}referral_bindings`));
  const ReferralLead = connection.model<ReferralLeadRecord>(leadName, buildLeadSchema(tenant, `${prefix}referral_leads`));
  const ReferralReferrer = connection.model<ReferralReferrerRecord>(referrerName, buildReferrerSchema(tenant, `${prefix}referral_referrers`));
  const ReferralRollup = connection.model<ReferralRollupRecord>(rollupName, buildRollupSchema(tenant, `${prefix}referral_rollups`));
  return {
    models: { ReferralCode, Referral, ReferralTouch, ReferralBinding, ReferralLead, ReferralReferrer, ReferralRollup },
    owned: [
      { model: ReferralCode as unknown as Model<never>, indexes: referralCodeIndexes(tenant) },
      { model: Referral as unknown as Model<never>, indexes: referralIndexes(tenant) },
      { model: ReferralTouch as unknown as Model<never>, indexes: touchIndexes(tenant, touchTtlSeconds) },
      { model: ReferralBinding as unknown as Model<never>, indexes: bindingIndexes(tenant) },
      { model: ReferralLead as unknown as Model<never>, indexes: leadIndexes(tenant) },
      { model: ReferralReferrer as unknown as Model<never>, indexes: referrerIndexes(tenant) },
      { model: ReferralRollup as unknown as Model<never>, indexes: rollupIndexes(tenant) },
    ],
  };
};

export const unregisterModels = (connection: Connection, models: ReferralModels): void => {
  for (const model of Object.values(models)) {
    if (connection.models[model.modelName] === model) connection.deleteModel(model.modelName);
  }
};
