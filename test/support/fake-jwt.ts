// A JWT-shaped token naming an issuer, signed by nobody: what a flood of forged tokens looks like.

export function fakeJwt(issuer: string, kid = 'k'): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const random = Math.random().toString(36).slice(2);
  return `${part({ alg: 'RS256', kid })}.${part({ iss: issuer, sub: random, exp: Math.floor(Date.now() / 1000) + 600 })}.${part(random)}`;
}
