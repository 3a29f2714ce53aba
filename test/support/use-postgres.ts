// Jest setup for the e2e-postgres project: startServer() then stores in a fresh PostgreSQL schema.
process.env.PARLEY_TEST_STORAGE = 'postgres';
