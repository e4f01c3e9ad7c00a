import express from "express";

export function add(a: number, b: number): number {
  return a + b;
}

export const app = express();

app.get("/", (_req, res) => {
  res.type("text/plain").send(`hello from express, 1 + 1 = ${add(1, 1)}\n`);
});

app.get("/healthz", (_req, res) => {
  res.json({ ok: true });
});
