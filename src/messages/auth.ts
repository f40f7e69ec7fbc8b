import type { Catalogue } from './catalogue.js'

/** Messages of the auth module. */
export default {
  en: {
    conflict_of_interest:
      'The principal is {{opposite}} of unit {{unit}}, which overlaps the requested {{role}} grant: an evaluator may not assess a unit it operates.',
    all_units_paren: '(all units)',
    all_units: 'all units',
    admin_grant_with_unit: 'An admin grant covers every unit: leave unit_id out.',
    unit_not_found: 'No unit with id {{unitId}}.',
    grant_exists: 'The principal already holds {{role}} on {{unit}}.',
    expiry_in_past: 'expires_at must be in the future.',
    role_not_granted: 'The principal does not hold the role {{role}}; grant it first.',
    unauthenticated: 'This route needs an Authorization: Bearer <token> header.',
    forbidden_role: 'The role {{role}} may not call this route; allowed: {{roles}}.',
    failure: {
      invalid_token: 'The bearer token is not valid.',
      token_expired: 'The bearer token has expired.',
      token_revoked: 'The bearer token has been revoked.',
      principal_disabled: 'The principal owning this token is disabled.',
      role_not_granted: "The token's role is no longer granted to its principal.",
    },
    field: {
      conflict_of_interest: "overlaps the principal's {{opposite}} grant",
      admin_grant_with_unit: 'must be null for role admin',
      exists: 'no such unit',
      future: 'must be in the future',
      granted: 'role not granted to this principal',
    },
  },
  id: {
    conflict_of_interest:
      'Principal ini adalah {{opposite}} pada unit {{unit}}, yang beririsan dengan grant {{role}} yang diminta: evaluator tidak boleh menilai unit yang dioperasikannya.',
    all_units_paren: '(semua unit)',
    all_units: 'semua unit',
    admin_grant_with_unit: 'Grant admin mencakup semua unit: jangan isi unit_id.',
    unit_not_found: 'Tidak ada unit dengan id {{unitId}}.',
    grant_exists: 'Principal ini sudah memegang {{role}} pada {{unit}}.',
    expiry_in_past: 'expires_at harus di masa depan.',
    role_not_granted: 'Principal ini tidak memegang peran {{role}}; berikan dulu grant-nya.',
    unauthenticated: 'Rute ini memerlukan header Authorization: Bearer <token>.',
    forbidden_role: 'Peran {{role}} tidak boleh memanggil rute ini; yang diizinkan: {{roles}}.',
    failure: {
      invalid_token: 'Bearer token tidak valid.',
      token_expired: 'Bearer token sudah kedaluwarsa.',
      token_revoked: 'Bearer token sudah dicabut.',
      principal_disabled: 'Principal pemilik token ini dinonaktifkan.',
      role_not_granted: 'Peran token ini tidak lagi diberikan kepada principal-nya.',
    },
    field: {
      conflict_of_interest: 'beririsan dengan grant {{opposite}} milik principal ini',
      admin_grant_with_unit: 'harus null untuk peran admin',
      exists: 'unit tidak ditemukan',
      future: 'harus di masa depan',
      granted: 'peran ini tidak diberikan kepada principal ini',
    },
  },
} satisfies Catalogue
