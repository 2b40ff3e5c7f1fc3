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
import { castRefPaths } from '../store/ref-cast.js';
import type { OwnedModel } from '../store/sync-indexes.js';

export interface ReferralModels {
  ReferralCode: Model<ReferralCodeRecord>;
  Referral: Model<ReferralRecord>;
  ReferralTouch: Model<ReferralTouchRecord>;
  ReferralBinding: Model<ReferralBindingRecord>;
  /** Registered only with `attribution.leads: true` (an optional module registers no model when off). */
  ReferralLead?: Model<ReferralLeadRecord>;
  ReferralReferrer: Model<ReferralReferrerRecord>;
  /** The dashboards' per-day rollups and their watermarks (derived data: `stats.*` keeps them exact). */
  ReferralRollup: Model<ReferralRollupRecord>;
}

const prefixPattern = /^[A-Za-z0-9_]*$/;

/** The model names an engine with this collection prefix registers, known without a connection; the lead model only with leads on. */
export const modelNamesFor = (prefix: string, leads: boolean): string[] => {
  if (!prefixPattern.test(prefix)) throw configError('collectionPrefix', 'May only contain letters, digits and "_"');
  const names = ['ReferralCode', 'Referral', 'ReferralTouch', 'ReferralBinding', 'ReferralReferrer', 'ReferralRollup'];
  return [...names, ...(leads ? ['ReferralLead'] : [])].map((name) => `${prefix}${name}`);
};

/** Where leads live whether or not their model is registered: with leads off, erasure and the relay still reach what an earlier configuration stored. */
export const leadCollectionOf = (connection: Connection, prefix: string, models: ReferralModels): { collection: unknown } =>
  models.ReferralLead ?? { collection: connection.collection(`${prefix}referral_leads`) };

/**
 * Registers the engine's models on the host connection, under names derived from the
 * collection prefix. A second engine with the same prefix on the same connection is refused
 * rather than silently sharing (or replacing) the first engine's models.
 */
export const registerModels = (
  connection: Connection,
  tenant: ResolvedTenant,
  prefix: string,
  options: { touchTtlSeconds: number; leads: boolean },
): { models: ReferralModels; owned: OwnedModel[] } => {
  const names = modelNamesFor(prefix, options.leads);
  for (const name of names) {
    if (connection.models[name]) throw new ModelCollisionError(name);
  }
  const [codeName, referralName, touchName, bindingName, referrerName, rollupName] = names as [string, string, string, string, string, string];
  const { touchTtlSeconds } = options;
  const ReferralCode = connection.model<ReferralCodeRecord>(codeName, castRefPaths(buildReferralCodeSchema(tenant, `${prefix}referral_codes`)));
  const Referral = connection.model<ReferralRecord>(referralName, castRefPaths(buildReferralSchema(tenant, `${prefix}referrals`)));
  const ReferralTouch = connection.model<ReferralTouchRecord>(touchName, castRefPaths(buildTouchSchema(tenant, `${prefix}referral_touches`, touchTtlSeconds)));
  const ReferralBinding = connection.model<ReferralBindingRecord>(bindingName, castRefPaths(buildBindingSchema(tenant, `${prefix}referral_bindings`)));
  const ReferralReferrer = connection.model<ReferralReferrerRecord>(referrerName, castRefPaths(buildReferrerSchema(tenant, `${prefix}referral_referrers`)));
  const ReferralRollup = connection.model<ReferralRollupRecord>(rollupName, castRefPaths(buildRollupSchema(tenant, `${prefix}referral_rollups`)));
  const ReferralLead = options.leads
    ? connection.model<ReferralLeadRecord>(`${prefix}ReferralLead`, castRefPaths(buildLeadSchema(tenant, `${prefix}referral_leads`)))
    : undefined;
  return {
    models: { ReferralCode, Referral, ReferralTouch, ReferralBinding, ...(ReferralLead ? { ReferralLead } : {}), ReferralReferrer, ReferralRollup },
    owned: [
      { model: ReferralCode as unknown as Model<never>, indexes: referralCodeIndexes(tenant) },
      { model: Referral as unknown as Model<never>, indexes: referralIndexes(tenant) },
      { model: ReferralTouch as unknown as Model<never>, indexes: touchIndexes(tenant, touchTtlSeconds) },
      { model: ReferralBinding as unknown as Model<never>, indexes: bindingIndexes(tenant) },
      ...(ReferralLead ? [{ model: ReferralLead as unknown as Model<never>, indexes: leadIndexes(tenant) }] : []),
      { model: ReferralReferrer as unknown as Model<never>, indexes: referrerIndexes(tenant) },
      { model: ReferralRollup as unknown as Model<never>, indexes: rollupIndexes(tenant) },
    ],
  };
};

export const unregisterModels = (connection: Connection, models: ReferralModels): void => {
  for (const model of Object.values(models)) {
    if (model && connection.models[model.modelName] === model) connection.deleteModel(model.modelName);
  }
};
