import { randomBytes } from 'node:crypto';
import type { AuditActor } from '../domain/auth/principal.ts';
import { checkFormToken, checkLinkToken, formToken, newLinkId, signLinkToken } from '../domain/creator-link/token.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import type { Pool } from '../storage/database.ts';
import { AuditRepository } from '../storage/repositories/audit.repository.ts';
import {
  CreatorLinkRepository,
  platformKey,
  type CreatorLinkRow,
} from '../storage/repositories/creator-link.repository.ts';
import type { Sql } from '../storage/sql.ts';
import { withTransaction } from '../storage/transaction.ts';
import { wallClock, type ServiceDeps } from './deps.ts';

export interface CreatorLinkConfig {
  /** The dashboard's base URL; the link is `<publicUrl>/c/<token>`. */
  publicUrl: string;
  /** A link lasts this long from issue (CREATOR_LINK_TTL_DAYS). */
  ttlDays: number;
  /** CREATOR_LINK_KEY; unset: a key the platform makes once and keeps in the database. */
  key?: string;
}

export interface IssuedLink {
  link: CreatorLinkRow;
  url: string;
}

export type LinkRefusal = 'invalid' | 'expired' | 'revoked';

/** A creator link that does not open: forged or unknown, past its expiry, or revoked. */
export class CreatorLinkRefused extends DomainError {
  constructor(readonly reason: LinkRefusal) {
    super('FORBIDDEN', `this creator link is ${reason === 'invalid' ? 'not valid' : reason}`, { reason });
  }
}

/** Statuses of a sample that will never reach a creator: no link is issued for them. */
const NO_LINK = ['requested', 'rejected', 'cancelled'];

/**
 * The creator's link to one sample (issue 12): issued, re-issued and revoked by staff or by
 * the follow-up scheduler (every change audited in its transaction), and resolved from the
 * URL's token: signature and expiry first, then the row (revocation).
 */
export class CreatorLinkService {
  private readonly pool: Pool;
  private readonly now: () => Date;
  private keyPromise: Promise<string> | undefined;

  constructor(
    { pool, now = wallClock }: ServiceDeps,
    private readonly config: CreatorLinkConfig,
  ) {
    this.pool = pool;
    this.now = now;
  }

  /** The signing key: the configured one, or the platform's own (made once, shared by every process). */
  key(): Promise<string> {
    this.keyPromise ??= this.config.key
      ? Promise.resolve(this.config.key)
      : platformKey(this.pool, 'creator_link', () => randomBytes(32).toString('base64url'));
    return this.keyPromise;
  }

  async urlOf(link: Pick<CreatorLinkRow, 'id' | 'expiresAt'>): Promise<string> {
    const token = signLinkToken(await this.key(), { id: link.id, expiresAt: link.expiresAt.getTime() });
    return `${this.config.publicUrl.replace(/\/$/, '')}/c/${token}`;
  }

  async formToken(linkId: string): Promise<string> {
    return formToken(await this.key(), linkId);
  }

  async checkFormToken(linkId: string, given: unknown): Promise<boolean> {
    return checkFormToken(await this.key(), linkId, given);
  }

  /** The sample's links, newest first, with the live one's URL (staff only). */
  async ofSample(sampleId: string): Promise<{ links: CreatorLinkRow[]; live: IssuedLink | null }> {
    const links = await new CreatorLinkRepository(this.pool).ofSample(sampleId);
    const now = this.now();
    const live = links.find((l) => !l.revokedAt && l.expiresAt > now);
    return { links, live: live ? { link: live, url: await this.urlOf(live) } : null };
  }

  /** A new link for the sample; a live one is revoked first (re-issue). Audited. */
  issue(sampleId: string, by: AuditActor): Promise<IssuedLink> {
    return withTransaction(this.pool, async (tx) => {
      await this.assertLinkable(tx, sampleId);
      const links = new CreatorLinkRepository(tx);
      const previous = await links.live(sampleId, { forUpdate: true });
      return this.create(tx, sampleId, by, previous);
    });
  }

  /** Revokes the sample's live link: it stops opening at once. Audited. */
  revoke(sampleId: string, by: AuditActor): Promise<CreatorLinkRow> {
    return withTransaction(this.pool, async (tx) => {
      const links = new CreatorLinkRepository(tx);
      const live = await links.live(sampleId, { forUpdate: true });
      if (!live) throw notFound('live creator link of sample', sampleId);
      const at = this.now();
      await links.revoke(live.id, at, by.actor);
      await new AuditRepository(tx).record(by, {
        action: 'creator_link.revoke',
        entityType: 'sample',
        entityId: sampleId,
        detail: { linkId: live.id },
      });
      return (await links.get(live.id))!;
    });
  }

  /**
   * The live link a message carries, inside the caller's transaction (the follow-up
   * scheduler's): the current one while it lasts, else a new one (audited as `by`).
   */
  async liveWithin(tx: Sql, sampleId: string, by: AuditActor): Promise<IssuedLink> {
    const links = new CreatorLinkRepository(tx);
    const live = await links.live(sampleId, { forUpdate: true });
    if (live && live.expiresAt > this.now()) return { link: live, url: await this.urlOf(live) };
    return this.create(tx, sampleId, by, live);
  }

  /** The link a token names, if it opens: signed by us, not expired, not revoked. */
  async resolve(token: string): Promise<CreatorLinkRow> {
    const now = this.now();
    const check = checkLinkToken(await this.key(), token, now.getTime());
    if (!check.ok) throw new CreatorLinkRefused(check.reason === 'expired' ? 'expired' : 'invalid');
    const links = new CreatorLinkRepository(this.pool);
    const link = await links.get(check.claims.id);
    if (!link) throw new CreatorLinkRefused('invalid');
    if (link.revokedAt) throw new CreatorLinkRefused('revoked');
    if (link.expiresAt <= now) throw new CreatorLinkRefused('expired');
    await links.touch(link.id, now);
    return link;
  }

  private async create(
    tx: Sql,
    sampleId: string,
    by: AuditActor,
    previous: CreatorLinkRow | undefined,
  ): Promise<IssuedLink> {
    const links = new CreatorLinkRepository(tx);
    const at = this.now();
    if (previous) await links.revoke(previous.id, at, by.actor);
    // Whole seconds: the token carries the expiry in seconds.
    const expiresAt = new Date(Math.floor((at.getTime() + this.config.ttlDays * 86_400_000) / 1000) * 1000);
    const link = await links.insert({ id: newLinkId(), sampleId, expiresAt, at, by: by.actor });
    await new AuditRepository(tx).record(by, {
      action: previous ? 'creator_link.reissue' : 'creator_link.issue',
      entityType: 'sample',
      entityId: sampleId,
      detail: { linkId: link.id, expiresAt: expiresAt.toISOString(), ...(previous ? { revoked: previous.id } : {}) },
    });
    return { link, url: await this.urlOf(link) };
  }

  private async assertLinkable(tx: Sql, sampleId: string): Promise<void> {
    const { rows } = await tx.query<{ status: string }>('select status from samples where id = $1', [sampleId]);
    const status = rows[0]?.status;
    if (!status) throw notFound('sample', sampleId);
    if (NO_LINK.includes(status)) {
      throw new DomainError('CONFLICT', `sample ${sampleId} is ${status}: it does not go to a creator yet`, {
        status,
      });
    }
  }
}
