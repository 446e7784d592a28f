import type { FastifyInstance } from 'fastify';
import { campaignRoutes } from './campaigns.js';
import { honourRoutes } from './honours.js';
import { listRoutes } from './lists.js';
import { pointRoutes } from './points.js';
import { recommendationRoutes } from './recommendations.js';
import { trainingRoutes } from './training.js';

/** Recognition and education: contact and demonstration points, honours, campaigns, secretary training. */
export async function recognitionRoutes(app: FastifyInstance): Promise<void> {
  await app.register(pointRoutes);
  await app.register(recommendationRoutes);
  await app.register(honourRoutes);
  await app.register(campaignRoutes);
  await app.register(trainingRoutes);
  await app.register(listRoutes);
}
