import type { Connection, Model } from 'mongoose';
import { ReferralError } from '../core/errors.js';
import type { ResolvedTenant } from '../core/tenant.js';
import type { IndexDeclaration } from './index-declaration.js';
import { buildReferralCodeSchema, referralCodeIndexes, type ReferralCodeRecord } from './referral-code.model.js';
import { buildReferralSchema, referralIndexes, type ReferralRecord } from './referral.model.js';
import { bindingIndexes, buildBindingSchema, type ReferralBindingRecord } from './binding.model.js';
import { buildTouchSchema, touchIndexes, type ReferralTouchRecord } from './touch.model.js';

export interface ReferralModels {
  ReferralCode: Model<ReferralCodeRecord>;
  Referral: Model<ReferralRecord>;
  ReferralTouch: Model<ReferralTouchRecord>;
  ReferralBinding: Model<ReferralBindingRecord>;
}

export interface OwnedModel {
  model: Model<never>;
  indexes: IndexDeclaration[];
}

const prefixPattern = /^[A-Za-z0-9_]*$/;

/**
 * Registers the engine's models on the host connection, under names derived from the
 * collection prefix. A second engine with the same prefix on the same connection is refused
 * rather than silently sharing (or replacing) the first engine's models.
 */
export const registerModels = (connection: Connection, tenant: ResolvedTenant, prefix: string, touchTtlSeconds: number): { models: ReferralModels; owned: OwnedModel[] } => {
  if (!prefixPattern.test(prefix)) {
    throw new ReferralError('validation_failed', 'collectionPrefix may only contain letters, digits and "_"', 422, { details: { field: 'collectionPrefix' } });
  }
  const codeName = `${prefix}ReferralCode`;
  const referralName = `${prefix}Referral`;
  const touchName = `${prefix}ReferralTouch`;
  const bindingName = `${prefix}ReferralBinding`;
  for (const name of [codeName, referralName, touchName, bindingName]) {
    if (connection.models[name]) {
      throw new ReferralError('engine_conflict', `Model "${name}" is already registered on this connection; destroy() the other engine or pass a different collectionPrefix`, 409);
    }
  }
  const ReferralCode = connection.model<ReferralCodeRecord>(codeName, buildReferralCodeSchema(tenant, `${prefix}referral_codes`));
  const Referral = connection.model<ReferralRecord>(referralName, buildReferralSchema(tenant, `${prefix}referrals`));
  const ReferralTouch = connection.model<ReferralTouchRecord>(touchName, buildTouchSchema(tenant, `${prefix}referral_touches`, touchTtlSeconds));
  const ReferralBinding = connection.model<ReferralBindingRecord>(bindingName, buildBindingSchema(tenant, `${prefix}referral_bindings`));
  return {
    models: { ReferralCode, Referral, ReferralTouch, ReferralBinding },
    owned: [
      { model: ReferralCode as unknown as Model<never>, indexes: referralCodeIndexes(tenant) },
      { model: Referral as unknown as Model<never>, indexes: referralIndexes(tenant) },
      { model: ReferralTouch as unknown as Model<never>, indexes: touchIndexes(tenant, touchTtlSeconds) },
      { model: ReferralBinding as unknown as Model<never>, indexes: bindingIndexes(tenant) },
    ],
  };
};

export const unregisterModels = (connection: Connection, models: ReferralModels): void => {
  for (const model of Object.values(models)) {
    if (connection.models[model.modelName] === model) connection.deleteModel(model.modelName);
  }
};
